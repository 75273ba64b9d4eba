"""A tiny randomly initialised BERT encoder and attrib checkpoint, built locally (no download)."""

from __future__ import annotations

import re
from pathlib import Path

TINY_TEXTS = [
    "Officials said the bridge may reopen in May.",
    "According to a Reuters report, the plant will close.",
    "The minister reportedly resigned on Friday.",
    "Police said the suspect was arrested.",
    "The river flooded the town.",
    "A government source told SBS that the deal could collapse.",
    '"We will not comment," he said.',
    "The company is expected to report higher profits.",
]


def make_tiny_encoder(path: Path) -> Path:
    import torch
    from transformers import BertConfig, BertModel, BertTokenizerFast

    path.mkdir(parents=True, exist_ok=True)
    words = sorted({w for t in TINY_TEXTS for w in re.findall(r"\w+|[^\w\s]", t.lower())})
    chars = sorted({c for t in TINY_TEXTS for c in t.lower() if not c.isspace()})
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *words, *(f"##{c}" for c in chars), *chars]
    vocab = list(dict.fromkeys(vocab))
    (path / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    tokenizer = BertTokenizerFast(vocab={tok: i for i, tok in enumerate(vocab)}, do_lower_case=True)
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
    )
    torch.manual_seed(0)
    BertModel(config).save_pretrained(str(path))
    tokenizer.save_pretrained(str(path))
    return path


def make_tiny_checkpoint(path: Path, encoder: Path | None = None) -> Path:
    """An attrib checkpoint folder (random heads) on the tiny encoder."""
    from attrib.model import AttribModel

    encoder = encoder or make_tiny_encoder(path.parent / f"{path.name}-encoder")
    AttribModel.from_pretrained(encoder, max_length=48).save_pretrained(path)
    return path
