"""Per-item NLL (held-out perplexity): token counts, padding-invariance, and a model that learned a text."""

from __future__ import annotations

import numpy as np
import pytest

from songsage.eval.perplexity import item_nll

TEXTS = ["the river runs to the sea", "a", "lanterns in the winter orchard glow and fade and glow again"]


@pytest.fixture(scope="module")
def tiny(tiny_model_cfg):
    import torch

    from songsage.models.registry import load_model, load_model_tokenizer

    torch.manual_seed(0)
    return load_model(tiny_model_cfg), load_model_tokenizer(tiny_model_cfg)


def test_counts_scored_tokens_and_ignores_padding(tiny) -> None:
    model, tok = tiny
    batched = item_nll(model, tok, TEXTS, max_tokens=64, batch_size=3)
    single = np.vstack([item_nll(model, tok, [t], max_tokens=64, batch_size=1) for t in TEXTS])
    lengths = [len(tok(t, add_special_tokens=False)["input_ids"]) for t in TEXTS]
    assert batched[:, 1].tolist() == [max(n - 1, 0) for n in lengths]
    np.testing.assert_allclose(batched, single, rtol=1e-4, atol=1e-4)
    # a random model over a ~150k vocabulary: about ln(vocab) nats per token
    per_token = batched[:, 0].sum() / batched[:, 1].sum()
    assert 9 < per_token < 14
    capped = item_nll(model, tok, TEXTS, max_tokens=4, batch_size=2)
    assert capped[:, 1].max() <= 3


def test_a_trained_text_scores_lower(tiny) -> None:
    import copy

    import torch

    model, tok = tiny
    model = copy.deepcopy(model)
    ids = torch.tensor([tok(TEXTS[0], add_special_tokens=False)["input_ids"]])
    before = item_nll(model, tok, TEXTS[:1], 64, 1)[0, 0]
    opt = torch.optim.AdamW(model.parameters(), lr=1e-2)
    for _ in range(10):
        loss = model(input_ids=ids, labels=ids).loss
        loss.backward()
        opt.step()
        opt.zero_grad()
    assert item_nll(model, tok, TEXTS[:1], 64, 1)[0, 0] < 0.5 * before
