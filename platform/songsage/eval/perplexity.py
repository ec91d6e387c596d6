"""Per-item negative log-likelihood of texts under a causal LM (held-out lyric and general-text perplexity).

``item_nll(model, tokenizer, texts, max_tokens, batch_size) -> (n, 2)`` array of ``(nll_sum, tokens)`` per
text: the summed next-token NLL in nats over the text's first ``max_tokens`` tokens (the first token is
context, not scored) and the number of scored tokens. Perplexity of a set of items is
``exp(sum nll / sum tokens)`` (:func:`songsage.eval.bootstrap.perplexity`). Texts are tokenized without
special tokens, so models sharing a tokenizer are scored on identical token sequences.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def item_nll(model: Any, tokenizer: Any, texts: list[str], max_tokens: int, batch_size: int) -> np.ndarray:
    """``(len(texts), 2)`` float64 array of (summed NLL in nats, scored tokens); texts of one token score 0."""
    import torch

    model.eval()
    device = next(model.parameters()).device
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    out = np.zeros((len(texts), 2), dtype=np.float64)
    encoded = [tokenizer(t, add_special_tokens=False)["input_ids"][:max_tokens] for t in texts]
    for start in range(0, len(texts), batch_size):
        batch = encoded[start : start + batch_size]
        width = max(max(len(x) for x in batch), 2)
        ids = torch.full((len(batch), width), pad, dtype=torch.long)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        for i, x in enumerate(batch):
            ids[i, : len(x)] = torch.tensor(x, dtype=torch.long)
            mask[i, : len(x)] = 1
        ids, mask = ids.to(device), mask.to(device)
        with torch.no_grad():
            logits = model(input_ids=ids, attention_mask=mask).logits[:, :-1, :].float()
        nll = torch.nn.functional.cross_entropy(
            logits.transpose(1, 2), ids[:, 1:], reduction="none"
        )  # (batch, width - 1)
        scored = mask[:, 1:].to(nll.dtype)
        out[start : start + len(batch), 0] = (nll * scored).sum(dim=1).cpu().numpy()
        out[start : start + len(batch), 1] = scored.sum(dim=1).cpu().numpy()
    return out
