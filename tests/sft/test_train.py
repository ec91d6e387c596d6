"""LoRA SFT and DPO on the tiny model through Ray Train + DeepSpeed on CPU (2 workers)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from songsage.data.sft.build import OUTPUT_SCHEMA, write_rows
from songsage.data.sft.preferences import PAIR_SCHEMA, PAIRS_DIR
from songsage.tracking import Tracker
from tests.sft.sftdata import make_config

pytestmark = pytest.mark.slow

# Short title answers: the overfit model must reproduce them and then close its turn.
OVERFIT = [
    ("Give a song title for these lyrics.\nI count seven steps to your door", "Kitchen Dance"),
    ("Give a song title for these lyrics.\n夜深了 你还好吗\n雨停了 天就晴了", "雨后"),
    ("Name the artist behind this song.\nThree children sliding on the ice", "Traditional"),
    ("Detect the emotion of this song from its lyrics.\nTears fall on the empty road", "sad"),
]
SFT_STEPS = 40
SFT_LR = 5e-3


def write_sft_data(root: Path) -> Path:
    """``root/build_sft/{train,validation}`` with the overfit samples (validation = the same rows)."""
    rows = [
        {
            "sample_id": f"t:{i}",
            "task": "lyrics_title",
            "language": "en",
            "template_lang": "en",
            "song_id": str(i),
            "playlist_id": "",
            "teacher_kind": "",
            "messages": [{"role": "user", "content": q}, {"role": "assistant", "content": a}],
        }
        for i, (q, a) in enumerate(OVERFIT)
    ]
    for split in ("train", "validation"):
        write_rows(rows, str(root / "build_sft" / split), OUTPUT_SCHEMA, 100)
    return root / "build_sft"


def write_pairs(root: Path) -> Path:
    """``root/build_preferences/pairs``: chosen = the right answer, rejected = a wrong one (x2 for 8 pairs)."""
    rows = [
        {
            "sample_id": f"p:{i}:{k}",
            "task": "lyrics_title",
            "prompt": [{"role": "user", "content": q}],
            "chosen": a,
            "rejected": "I do not know, maybe something",
        }
        for k in range(2)
        for i, (q, a) in enumerate(OVERFIT)
    ]
    write_rows(rows, str(root / "build_preferences" / PAIRS_DIR), PAIR_SCHEMA, 100)
    return root / "build_preferences"


def _logits(model: Any, tok: Any, text: str) -> Any:
    import torch

    ids = tok(text, return_tensors="pt")["input_ids"]
    with torch.no_grad():
        return model(input_ids=ids).logits


@pytest.fixture(scope="module")
def sft_run(ray_session: Any, tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, dict[str, Any], Path]:
    """An overfit LoRA SFT under ZeRO-3 (2 workers): (config, summary, out dir)."""
    root = tmp_path_factory.mktemp("sft-train")
    write_sft_data(root)
    cfg = make_config(
        root,
        f"sft.max_steps={SFT_STEPS}",
        f"sft.lr={SFT_LR}",
        "sft.warmup_ratio=0.0",
        "sft.lr_scheduler=constant",
        "sft.deepspeed.stage=3",
        "sft.checkpoint_every=1000",
        "sft.eval_every=1000",
        "sft.per_device_batch=2",
        "sft.grad_accum=1",
        "sft.lora_dropout=0.0",
    )
    from songsage.train.sft import run_sft

    out = root / "sft"
    out.mkdir()
    with Tracker(cfg, "sft") as tracker:
        summary = run_sft(cfg, str(out), tracker)
    return cfg, summary, out


def test_sft_zero3_adapter_saved_and_reloads(sft_run: tuple[Any, dict[str, Any], Path]) -> None:
    """Loss falls; the ZeRO-3 adapter is non-empty; reloading it gives the training-time logits."""
    import torch
    from safetensors.torch import load_file

    from songsage.config.train import ModelConfig
    from songsage.train.lora import load_adapter_model

    cfg, summary, out = sft_run
    assert summary["finished"] == 1.0 and int(summary["step"]) == SFT_STEPS
    # A random tiny model's tied embeddings cap its logits (loss floor ~ln(vocab) - 1.3), so the loss falls a
    # little while the greedy answers become exact (see the next test).
    assert summary["final_loss"] < summary["first_loss"] - 0.5, (summary["first_loss"], summary["final_loss"])
    weights = load_file(str(out / "adapter" / "adapter_model.safetensors"))
    assert weights and all(t.numel() > 0 for t in weights.values())
    assert (
        sum(float(t.abs().sum()) for k, t in weights.items() if "lora_B" in k) > 0
    )  # B starts at 0: trained
    conf = json.loads((out / "adapter" / "adapter_config.json").read_text())
    assert conf["r"] == cfg.sft.lora_r and conf["lora_alpha"] == cfg.sft.lora_alpha
    base = ModelConfig(name_or_path=conf["base_model_name_or_path"])
    a, b = load_adapter_model(str(out / "adapter"), base), load_adapter_model(str(out / "adapter"), base)
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(out / "adapter"))
    assert torch.equal(_logits(a, tok, OVERFIT[0][0]), _logits(b, tok, OVERFIT[0][0]))
    plain = load_adapter_model(str(out / "adapter"), base)
    with plain.disable_adapter():
        assert not torch.allclose(_logits(plain, tok, OVERFIT[0][0]), _logits(a, tok, OVERFIT[0][0]))


def test_sft_model_ends_turn_with_im_end(sft_run: tuple[Any, dict[str, Any], Path]) -> None:
    """After the overfit SFT, greedy decoding reproduces each answer and stops on <|im_end|>."""
    import torch
    from transformers import AutoTokenizer

    from songsage.config.train import ModelConfig
    from songsage.train.lora import END_OF_TURN, load_adapter_model

    _, _, out = sft_run
    conf = json.loads((out / "adapter" / "adapter_config.json").read_text())
    model = load_adapter_model(
        str(out / "adapter"), ModelConfig(name_or_path=conf["base_model_name_or_path"])
    )
    tok = AutoTokenizer.from_pretrained(str(out / "adapter"))
    end = tok.convert_tokens_to_ids(END_OF_TURN)
    for prompt, answer in OVERFIT:
        enc = tok.apply_chat_template(
            [{"role": "user", "content": prompt}],
            add_generation_prompt=True,
            return_dict=True,
            return_tensors="pt",
        )
        with torch.no_grad():
            gen = model.generate(
                **enc, max_new_tokens=16, do_sample=False, eos_token_id=end, pad_token_id=end
            )
        new = gen[0, enc["input_ids"].shape[1] :].tolist()
        assert end in new, tok.decode(new)
        assert tok.decode(new[: new.index(end)]) == answer


def test_dpo_from_sft_adapter_with_resume(sft_run: tuple[Any, dict[str, Any], Path]) -> None:
    """DPO (ZeRO-2) on the merged SFT model: stops at step 2, a resubmission resumes to the end; rewards logged,
    the adapter is saved against the merged SFT base."""
    from safetensors.torch import load_file

    from songsage.train.dpo import SFT_MERGED_DIR, run_dpo

    cfg, _, sft_out = sft_run
    root = Path(cfg.run.dir)
    write_pairs(root)
    out = root / "dpo"
    out.mkdir()
    common = [
        f"dpo.sft_adapter={sft_out / 'adapter'}",
        "dpo.max_steps=4",
        "dpo.global_batch=4",
        "dpo.per_device_batch=1",
        "dpo.lr=1e-3",
        "dpo.warmup_ratio=0.0",
        "dpo.checkpoint_every=2",
        "dpo.deepspeed.stage=2",
    ]
    first = make_config(root, *common, "dpo.stop_at_step=2")
    with Tracker(first, "dpo") as tracker:
        part = run_dpo(first, str(out), tracker)
    assert part["finished"] == 0.0 and int(part["step"]) == 2
    cfg2 = make_config(root, *common)
    with Tracker(cfg2, "dpo") as tracker:
        summary = run_dpo(cfg2, str(out), tracker)
    assert summary["finished"] == 1.0 and int(summary["resumed_from"]) == 2 and int(summary["step"]) == 4
    for key in ("rewards/chosen", "rewards/rejected", "rewards/margins", "rewards/accuracy"):
        assert key in summary
    conf = json.loads((out / "adapter" / "adapter_config.json").read_text())
    assert conf["base_model_name_or_path"] == str(out / SFT_MERGED_DIR)
    assert load_file(str(out / "adapter" / "adapter_model.safetensors"))
    print("DPO", {k: summary[k] for k in ("first_loss", "final_loss", "rewards/margins", "rewards/accuracy")})
