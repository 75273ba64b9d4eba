"""The predictor interface (protocol) and the one `predict` shape rule every predictor shares."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, overload, runtime_checkable

from attrib.errors import AttribError
from attrib.labels import ATTRIBUTION_LABELS, CERTAINTY_LABELS, is_boilerplate
from attrib.result import SentenceResult


def check_threads(threads: int | None) -> None:
    """A predictor's thread count: None (the usable cores) or a positive integer."""
    if threads is not None and (not isinstance(threads, int) or isinstance(threads, bool) or threads < 1):
        raise AttribError(f"threads must be a positive integer, got {threads!r}")


def boilerplate_result(text: str) -> SentenceResult:
    """The guideline's label for a boilerplate line, with certain probabilities and no spans."""
    return SentenceResult(
        text=text,
        attribution="none",
        certainty="certain",
        certainty_score=1.0,
        attribution_probs={a: float(a == "none") for a in ATTRIBUTION_LABELS},
        certainty_probs={c: float(c == "certain") for c in CERTAINTY_LABELS},
    )


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
    # Whether concurrent `predict` calls on one instance are safe; the web app locks if not.
    thread_safe: bool = False

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
        out = [boilerplate_result(r.text) if is_boilerplate(r.text) else r for r in out]
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
