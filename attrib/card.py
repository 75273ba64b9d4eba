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
    # The real-news test figures lead (the ones to quote), then dev, the gold set, the rest; the
    # config's JSON keys are sorted, so the order is set here.
    lead = ("real-news test", "lexicon baseline on the real-news test", "real-news dev")
    rank = {name: next((i for i, p in enumerate(lead) if name.startswith(p)), len(lead)) for name in metrics}
    metrics = dict(sorted(metrics.items(), key=lambda kv: rank[kv[0]]))
    return (
        environment(autoescape=False, trim=False)
        .get_template("model_card.md.j2")
        .render(config=config, training=training, metrics=metrics, base_model_name=config.get("base_model"))
    )
