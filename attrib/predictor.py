"""The predictor interface every predictor (lexicon baseline, fine-tuned model) implements."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, overload, runtime_checkable

from attrib.result import SentenceResult


@runtime_checkable
class Predictor(Protocol):
    name: str

    @overload
    def predict(self, sentences: str, contexts: str | None = None) -> SentenceResult: ...
    @overload
    def predict(
        self, sentences: Sequence[str], contexts: Sequence[str | None] | None = None
    ) -> list[SentenceResult]: ...
    def predict(self, sentences, contexts=None):  # type: ignore[no-untyped-def]
        """One string in, one result out; a list in, a list out.

        `contexts` optionally gives each sentence's previous sentence (pronoun speakers,
        split quotes); predictors that do not use context ignore it.
        """
        ...


def as_batch(
    sentences: str | Sequence[str], contexts: str | Sequence[str | None] | None
) -> tuple[bool, list[str], list[str | None]]:
    """Normalise `predict`'s arguments: (was_single, sentences, contexts)."""
    single = isinstance(sentences, str)
    batch = [sentences] if single else list(sentences)
    if contexts is None:
        ctx: list[str | None] = [None] * len(batch)
    elif isinstance(contexts, str):
        ctx = [contexts]
    else:
        ctx = list(contexts)
    if len(ctx) != len(batch):
        raise ValueError(f"got {len(batch)} sentences but {len(ctx)} contexts")
    return single, batch, ctx


# The shipped checkpoint lives in the repository's models/ folder (installed editable);
# ATTRIB_MODEL overrides it.
DEFAULT_MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / "attrib-minilm"


def load_predictor(spec: str | None = None, int8: bool = False) -> Predictor:
    """`"baseline"` -> the lexicon baseline; a path -> a fine-tuned checkpoint; None -> the default.

    The default is the shipped model, or the baseline where no model has been shipped.
    `int8` runs a model with dynamic int8 quantisation (faster on CPU; see `attrib bench`).
    """
    from attrib.errors import AttribError

    spec = spec or os.environ.get("ATTRIB_MODEL") or None
    if spec == "baseline" or (spec is None and not DEFAULT_MODEL_DIR.is_dir()):
        from attrib.baseline import LexiconPredictor

        return LexiconPredictor()
    path = Path(spec) if spec else DEFAULT_MODEL_DIR
    if not (path / "config.json").is_file():
        raise AttribError(
            f"no attrib model at {path} (expected a folder with config.json), or use 'baseline'"
        )
    from attrib.model import AttribModel

    model = AttribModel.from_pretrained(path)
    return model.quantized() if int8 else model
