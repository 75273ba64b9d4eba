"""The generated model card: intended use, training data and licences, metrics, caveats."""

from __future__ import annotations

from typing import Any

from attrib.markup import environment


def render_card(config: dict[str, Any]) -> str:
    """Fill the card template from a model config (as a dict); metrics come from `training["metrics"]`.

    `training["metrics"]` maps an evaluation set's name to `attrib.evaluate.headline` figures.
    """
    training = dict(config.get("training") or {})
    metrics = training.pop("metrics", {})
    return (
        environment(autoescape=False, trim=False)
        .get_template("model_card.md.j2")
        .render(config=config, training=training, metrics=metrics, base_model_name=config.get("base_model"))
    )
