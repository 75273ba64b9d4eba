"""Article in, per-sentence analysis and sourcing profile out; and the choice of predictor."""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from attrib.continuations import continue_article
from attrib.errors import AttribError
from attrib.predictor import Predictor, check_threads
from attrib.profile import Profile, build_profile
from attrib.result import ArticleSentence
from attrib.splitter import split_sentences

DEFAULT_MODEL_NAME = "attrib-minilm"
MODEL_ENV = "ATTRIB_MODEL"


def default_model_dir() -> Path:
    """The shipped checkpoint: `$ATTRIB_MODEL`, else the package data `attrib.checkpoints`
    (the repository's models/ folder, in an editable and a regular install alike)."""
    env = os.environ.get(MODEL_ENV)
    if env:
        return Path(env)
    try:
        root = resources.files("attrib.checkpoints")
    except ModuleNotFoundError:
        raise AttribError(
            "this attrib install has no shipped model; pass --model PATH, set ATTRIB_MODEL, "
            "or use --predictor baseline"
        ) from None
    return Path(str(root)) / DEFAULT_MODEL_NAME


BACKENDS = ("onnx", "torch")


def load_predictor(
    spec: str | None = None, int8: bool = False, backend: str = "onnx", threads: int | None = None
) -> Predictor:
    """`"baseline"` -> the lexicon baseline; a path -> a fine-tuned checkpoint; None -> the default.

    The default is the shipped model (`default_model_dir`); if it is missing that is an error,
    never a silent fall-back to the baseline. `backend="onnx"` (the default) runs the int8 ONNX
    export with ONNX Runtime, without torch: the checkpoint's own export when it is current,
    else one made once into the cache. `backend="torch"` runs the reference model (`int8`: with
    torch's dynamic quantisation). `threads` defaults to the cores this process may use.
    """
    if backend not in BACKENDS:
        raise AttribError(f"unknown backend {backend!r} (choose from {', '.join(BACKENDS)})")
    check_threads(threads)
    if spec == "baseline":
        from attrib.baseline import LexiconPredictor

        return LexiconPredictor()
    path = Path(spec) if spec else default_model_dir()
    if spec is None and not path.exists():
        raise AttribError(
            f"the default model at {path} is missing; pass --model PATH, set {MODEL_ENV}, "
            "or use --predictor baseline"
        )
    if backend == "onnx":
        from attrib.runtime import OnnxPredictor, cache_root, has_current_export

        if not has_current_export(path):
            from attrib.export import cached_export  # torch, once per checkpoint

            path = cached_export(path, cache_root())
        return OnnxPredictor(path, threads)
    import torch

    from attrib.model import AttribModel
    from attrib.runtime import available_cores

    torch.set_num_threads(threads or available_cores())
    # A trained attrib checkpoint, validated once, or one clear "not an attrib model" error.
    model = AttribModel.from_checkpoint(path)
    return model.quantized() if int8 else model


@dataclass(frozen=True)
class ArticleAnalysis:
    text: str
    sentences: tuple[ArticleSentence, ...]
    profile: Profile
    predictor: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "predictor": self.predictor,
            "n_chars": len(self.text),
            "sentences": [s.to_dict() for s in self.sentences],
            "profile": self.profile.to_dict(),
        }


def analyze(text: str, predictor: Predictor | None = None) -> ArticleAnalysis:
    """Split `text` into sentences, label each (with its previous sentence as context), profile it."""
    if not isinstance(text, str):
        raise AttribError(f"analyze takes the article text as a string, not {type(text).__name__}")
    predictor = predictor or load_predictor()
    spans = split_sentences(text)
    if not spans:
        raise AttribError("the article has no sentences (empty or whitespace only)")
    texts = [s.text for s in spans]
    # Quote continuations and interview answers take their speaker's type: article-level passes.
    results = continue_article(texts, predictor.predict(texts, [None, *texts[:-1]]))
    sentences = tuple(
        ArticleSentence(i, s.start, s.end, r) for i, (s, r) in enumerate(zip(spans, results, strict=True))
    )
    return ArticleAnalysis(text, sentences, build_profile(sentences), predictor.name)
