"""SFT loss weighting: an optimizer step's gradient is the token-weighted mean over the whole global batch."""

from __future__ import annotations

import math

import numpy as np
import pytest

from songsage.train.lora import IGNORE_INDEX
from songsage.train.sft import accumulate, sft_step, target_tokens
from tests.sft.lossutil import GradAccumEngine, numpy_batch, tiny_model

# Uneven samples: 2 target tokens vs 9 (after the next-token shift).
SHORT = {"input_ids": [5, 6, 7, 8, 9], "labels": [IGNORE_INDEX] * 3 + [8, 9], "length": 5}
LONG = {
    "input_ids": list(range(20, 32)),
    "labels": [IGNORE_INDEX] * 3 + list(range(23, 32)),
    "length": 12,
}


def _batch(*rows: dict) -> dict:
    batch = numpy_batch([{"input_ids": r["input_ids"], "labels": r["labels"]} for r in rows])
    batch["length"] = np.array([r["length"] for r in rows])
    return batch


def _grads(model) -> list:
    return [p.grad.detach().clone() for p in model.parameters() if p.grad is not None]


def test_accumulating_two_by_one_equals_one_batch_of_two() -> None:
    import torch

    from songsage.train.sft import sft_batch

    ctx = {"device": torch.device("cpu"), "pad_id": 0}
    assert target_tokens(_batch(SHORT)) == 2 and target_tokens(_batch(SHORT, LONG)) == 11

    model = tiny_model()
    t = sft_batch(_batch(SHORT, LONG), 0)
    model(**t).loss.backward()  # HF: mean over the batch's 11 target tokens
    reference = _grads(model)

    model.zero_grad()
    loss_sum, units, _ = accumulate(
        GradAccumEngine(model, 2), [_batch(SHORT), _batch(LONG)], sft_step, target_tokens, ctx, world=1
    )
    accumulated = _grads(model)
    assert units == 11 and len(accumulated) == len(reference)
    for a, b in zip(accumulated, reference, strict=True):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-6)
    assert loss_sum / units == pytest.approx(float(model(**t).loss), rel=1e-5)

    # The uniform mean of per-micro-batch means (what the loop did before) weighs 2 tokens like 9: differs.
    model.zero_grad()
    for rows in (SHORT, LONG):
        (model(**sft_batch(_batch(rows), 0)).loss / 2).backward()
    uniform = _grads(model)
    assert not all(torch.allclose(a, b, rtol=1e-3) for a, b in zip(uniform, reference, strict=True))


def test_scale_accounts_for_workers_and_accumulation(monkeypatch: pytest.MonkeyPatch) -> None:
    """With 2 workers the all-reduced token count divides, and the loss is multiplied back by
    grad_accum x world (DeepSpeed divides by both): this worker's gradient share is its token sum / global."""
    import torch

    import songsage.train.sft as sft

    seen: list[float] = []

    def fake_all_reduce(values: list[float], device: object) -> list[float]:
        seen.extend(values)
        return [v + 30.0 for v in values]  # the other worker holds 30 target tokens

    monkeypatch.setattr(sft, "all_reduce_sum", fake_all_reduce)
    scaled: list[float] = []

    class Recorder(GradAccumEngine):
        def backward(self, loss: torch.Tensor) -> None:
            scaled.append(float(loss))

    model = tiny_model()
    ctx = {"device": torch.device("cpu"), "pad_id": 0}
    loss_sum, units, _ = accumulate(
        Recorder(model, 2), [_batch(SHORT), _batch(LONG)], sft_step, target_tokens, ctx, world=2
    )
    assert seen == [11.0] and units == 41.0
    assert sum(scaled) == pytest.approx(loss_sum * 2 * 2 / 41.0, rel=1e-6)
    assert not math.isnan(loss_sum)


@pytest.mark.slow
def test_deepspeed_zero2_accumulation_equals_one_batch_of_two() -> None:
    """The real engine: DeepSpeed ZeRO-2 divides by grad_accum in ``engine.backward``; after one SGD step the
    2 x 1 accumulation through :func:`accumulate` lands on the weights of one batch of 2 (one process, gloo)."""
    import copy

    import deepspeed
    import torch

    from bench.train_throughput import init_single_process_dist
    from songsage.config.train import DeepSpeedConfig, PretrainConfig
    from songsage.train.deepspeed_config import build_deepspeed_config
    from songsage.train.sft import sft_batch

    init_single_process_dist("gloo")
    reference = tiny_model()
    model = copy.deepcopy(reference)
    sgd = torch.optim.SGD(reference.parameters(), lr=1.0)
    reference(**sft_batch(_batch(SHORT, LONG), 0)).loss.backward()
    sgd.step()
    train = PretrainConfig(
        per_device_batch=1,
        grad_accum=2,
        num_workers=1,
        use_gpu=False,
        bf16=False,
        deepspeed=DeepSpeedConfig(stage=2),
    )
    ds = {
        **build_deepspeed_config(train, 1, False),
        "gradient_clipping": 0.0,
        "zero_allow_untested_optimizer": True,
    }
    engine, *_ = deepspeed.initialize(
        model=model, optimizer=torch.optim.SGD(model.parameters(), lr=1.0), config=ds
    )
    assert engine.gradient_accumulation_steps() == 2
    ctx = {"device": torch.device("cpu"), "pad_id": 0}
    accumulate(engine, [_batch(SHORT), _batch(LONG)], sft_step, target_tokens, ctx, world=1)
    moved = max(
        float((a - b).abs().max()) for a, b in zip(model.parameters(), tiny_model().parameters(), strict=True)
    )
    for a, b in zip(engine.module.parameters(), reference.parameters(), strict=True):
        torch.testing.assert_close(a.detach(), b.detach(), rtol=1e-4, atol=1e-6)
    assert moved > 1e-3
