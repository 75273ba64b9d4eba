"""Shared fixtures: a tiny randomly initialised BERT encoder with its own WordPiece vocabulary.

No download and no shipped weights: the encoder is built here, so model tests run in seconds.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

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


@pytest.fixture(scope="session")
def tiny_encoder_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from transformers import BertConfig, BertModel, BertTokenizerFast

    path = tmp_path_factory.mktemp("tiny-bert")
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
    import torch

    torch.manual_seed(0)
    BertModel(config).save_pretrained(str(path))
    tokenizer.save_pretrained(str(path))
    return path
