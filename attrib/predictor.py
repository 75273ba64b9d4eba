"""The predictor interface (protocol) and the one `predict` shape rule every predictor shares."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, overload, runtime_checkable

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


class BasePredictor:
    """Gives an implementation the shape rule of `predict`; it writes `predict_batch` only."""

    name: str = "predictor"

    def predict_batch(
        self, sentences: list[str], contexts: list[str | None], **options: Any
    ) -> list[SentenceResult]:
        raise NotImplementedError

    @overload
    def predict(self, sentences: str, contexts: str | None = None, **options: Any) -> SentenceResult: ...
    @overload
    def predict(
        self, sentences: Sequence[str], contexts: Sequence[str | None] | None = None, **options: Any
    ) -> list[SentenceResult]: ...
    def predict(
        self,
        sentences: str | Sequence[str],
        contexts: str | Sequence[str | None] | None = None,
        **options: Any,
    ) -> SentenceResult | list[SentenceResult]:
        """One string in, one result out; a list in, a list out (input order kept)."""
        single, batch, ctx = as_batch(sentences, contexts)
        out = self.predict_batch(batch, ctx, **options) if batch else []
        return out[0] if single else out


def as_batch(
    sentences: str | Sequence[str], contexts: str | Sequence[str | None] | None
) -> tuple[bool, list[str], list[str | None]]:
    """Normalise `predict`'s arguments: (was_single, sentences, contexts)."""
    single = isinstance(sentences, str)
    if not single and not isinstance(sentences, Sequence):
        raise TypeError(f"predict takes a string or a list of strings, not {type(sentences).__name__}")
    batch = [sentences] if single else list(sentences)
    if not all(isinstance(s, str) for s in batch):
        raise TypeError("predict takes a string or a list of strings")
    if contexts is None:
        ctx: list[str | None] = [None] * len(batch)
    elif isinstance(contexts, str):
        ctx = [contexts]
    else:
        ctx = list(contexts)
    if len(ctx) != len(batch):
        raise ValueError(f"got {len(batch)} sentences but {len(ctx)} contexts")
    return single, batch, ctx
