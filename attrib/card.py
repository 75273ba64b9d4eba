"""The generated model card: intended use, training data and licences, metrics, caveats."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from jinja2 import Environment, PackageLoader

if TYPE_CHECKING:
    from attrib.model import AttribConfig


def render_card(config: AttribConfig) -> str:
    """Fill the card template from the config; metrics come from `config.training["metrics"]`."""
    env = Environment(
        loader=PackageLoader("attrib", "templates"), autoescape=False, keep_trailing_newline=True
    )
    training = dict(config.training)
    metrics = training.pop("metrics", {})
    base = Path(config.base_model).name if config.base_model else "unknown"
    if "minilm" in config.base_model.lower():
        base = "sentence-transformers/all-MiniLM-L6-v2"
    return env.get_template("model_card.md.j2").render(
        config=config, training=training, metrics=metrics, base_model_name=base
    )
