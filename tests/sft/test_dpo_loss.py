"""DPO loss checks that a broken loss fails: ln 2 at step 0, parity with TRL's sigmoid loss, margins grow."""

from __future__ import annotations

import math
from collections import defaultdict
from types import SimpleNamespace
from typing import Any

import pytest

from songsage.config import load_config
from songsage.train.dpo import dpo_losses, dpo_step, pair_count
from songsage.train.lora import IGNORE_INDEX, lora_config
from tests.sft.lossutil import GradAccumEngine, numpy_batch, tiny_model

PROMPT = [11, 12, 13, 14]
# A separable pair: the chosen and rejected completions share no token.
CHOSEN, REJECTED = [40, 41, 42, 43], [90, 91, 92]


def _pairs(n: int) -> dict[str, Any]:
    row = {
        "chosen_ids": PROMPT + CHOSEN,
        "chosen_labels": [IGNORE_INDEX] * len(PROMPT) + CHOSEN,
        "rejected_ids": PROMPT + REJECTED,
        "rejected_labels": [IGNORE_INDEX] * len(PROMPT) + REJECTED,
    }
    return numpy_batch([row] * n)


def _policy() -> tuple[Any, dict[str, Any]]:
    import torch
    from peft import get_peft_model

    section = load_config(None, ["dpo.lora_dropout=0.0", "dpo.lora_r=4"]).dpo
    model = get_peft_model(tiny_model(), lora_config(section))
    return model, {"device": torch.device("cpu"), "pad_id": 0, "beta": section.beta}


def test_loss_is_ln2_at_step_zero() -> None:
    """A fresh LoRA (B = 0) is the reference: every log-ratio is 0, the loss is ln 2 per pair."""
    model, ctx = _policy()
    batch = _pairs(3)
    loss, metrics = dpo_step(GradAccumEngine(model, 1), batch, ctx)
    assert pair_count(batch) == 3
    assert float(loss) / 3 == pytest.approx(math.log(2), abs=1e-6)
    assert metrics["rewards/margins"] == pytest.approx(0.0, abs=1e-6)
    assert metrics["rewards/accuracy"] == 0.0


def _trl_sigmoid_loss(chosen: Any, rejected: Any, ref_chosen: Any, ref_rejected: Any, beta: float) -> float:
    """TRL's own DPOTrainer._compute_loss (loss_type sigmoid) on precomputed log-probs: a stand-in model returns
    per-token log-probs whose row sums are the given sequence log-probs."""
    import torch
    from trl import DPOTrainer

    n, width = len(chosen), 3
    logps = torch.zeros(2 * n, width)
    logps[:, 0] = torch.cat([chosen, rejected])
    outputs = SimpleNamespace(
        log_probs=logps,
        entropy=torch.zeros(2 * n, width),
        mean_logits=torch.zeros(2 * n, width),
        is_top1=torch.zeros(2 * n, width, dtype=torch.bool),
    )
    trainer = SimpleNamespace(
        model=SimpleNamespace(training=True),
        accelerator=SimpleNamespace(
            device=torch.device("cpu"), gather_for_metrics=lambda t: t, gather=lambda t: t
        ),
        aux_loss_enabled=False,
        ld_alpha=None,
        precompute_ref_logps=True,
        f_divergence_type="reverse_kl",
        loss_types=["sigmoid"],
        loss_weights=[1.0],
        beta=beta,
        label_smoothing=0.0,
        use_weighting=False,
        _metrics={"train": defaultdict(list), "eval": defaultdict(list)},
        _total_train_tokens=0,
        _tp_size=1,
    )
    inputs = {
        "input_ids": torch.ones(2 * n, width + 1, dtype=torch.long),
        "attention_mask": torch.ones(2 * n, width + 1, dtype=torch.long),
        "completion_mask": torch.ones(2 * n, width + 1, dtype=torch.long),
        "ref_chosen_logps": ref_chosen,
        "ref_rejected_logps": ref_rejected,
    }
    loss = DPOTrainer._compute_loss(trainer, lambda **kw: outputs, inputs, return_outputs=False)
    return float(loss)


def test_parity_with_trl_sigmoid_loss() -> None:
    import torch

    chosen = torch.tensor([-10.0, -22.5, -7.0, -31.0])
    rejected = torch.tensor([-12.0, -20.0, -9.5, -30.0])
    ref_chosen = torch.tensor([-11.0, -21.0, -8.0, -33.0])
    ref_rejected = torch.tensor([-11.5, -21.5, -8.0, -29.0])
    for beta in (0.1, 0.5):
        ours, metrics = dpo_losses(chosen, rejected, ref_chosen, ref_rejected, beta)
        trl = _trl_sigmoid_loss(chosen, rejected, ref_chosen, ref_rejected, beta)
        assert float(ours) / 4 == pytest.approx(trl, rel=1e-6)
        # By hand, pair 0: beta * ((-10 + 11) - (-12 + 11.5)) = 1.5 beta.
        assert float(ours) / 4 != pytest.approx(math.log(2))
    assert metrics["rewards/margins"] == pytest.approx(
        0.5 * float(((chosen - ref_chosen) - (rejected - ref_rejected)).mean())
    )


def test_margin_grows_on_a_separable_pair() -> None:
    import torch

    model, ctx = _policy()
    engine = GradAccumEngine(model, 1)
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-2)
    batch = _pairs(2)
    margins, losses = [], []
    for _ in range(6):
        loss, metrics = dpo_step(engine, batch, ctx)
        engine.backward(loss / pair_count(batch))
        opt.step()
        opt.zero_grad()
        margins.append(metrics["rewards/margins"])
        losses.append(float(loss) / 2)
    assert margins[0] == pytest.approx(0.0, abs=1e-6)
    assert all(b > a for a, b in zip(margins[1:], margins[2:], strict=False)), margins
    assert margins[-1] > 0 and losses[-1] < math.log(2) - 0.01, (margins, losses)
