import numpy as np
import pytest

from songsage.config.schema import GeneralSourceConfig, MixConfig
from songsage.data.balance import balance_targets, order_key
from songsage.data.mix import copies, mix_plan
from songsage.data.pack import pack_documents, render_chat

RATIOS = {"en": 2.0, "zh": 2.0, "ko": 1.0, "ja": 1.0}


def test_balance_limited_by_scarcest_language():
    keep, report = balance_targets({"en": 100, "zh": 300, "ko": 20, "ja": 50, "other": 7}, RATIOS)
    assert keep == {"en": 40, "zh": 40, "ko": 20, "ja": 20, "other": 0}
    assert report["limiting_language"] == "ko"
    assert report["achieved_share"]["en"] == pytest.approx(1 / 3, abs=1e-3)


def test_balance_reports_missing_language_instead_of_crashing():
    keep, report = balance_targets({"en": 100, "zh": 100, "ja": 10}, RATIOS)
    assert report["shortfall"] == ["ko"]
    assert keep == {"en": 20, "zh": 20, "ko": 0, "ja": 10}


def test_balance_empty():
    keep, report = balance_targets({}, RATIOS)
    assert sum(keep.values()) == 0 and report["shortfall"] == sorted(RATIOS)


def test_order_key_is_deterministic_and_seeded():
    assert order_key(0, "a") == order_key(0, "a") != order_key(1, "a")
    assert 0 <= order_key(3, "x") < 2**63


def test_mix_plan_weights_and_cap():
    cfg = MixConfig(
        general_ratio=4.0,
        max_epochs=2.0,
        sources=[GeneralSourceConfig(name="wiki", weight=3), GeneralSourceConfig(name="code", weight=1)],
    )
    plan = mix_plan(1000, {"wiki": 6000, "code": 200, "extra": 50}, cfg)
    assert plan["wiki"]["target_tokens"] == 3000 and plan["wiki"]["factor"] == 0.5
    assert plan["code"]["target_tokens"] == 1000 and plan["code"]["factor"] == 2.0  # capped at max_epochs
    assert plan["code"]["shortfall_tokens"] == 600
    assert "extra" not in plan


def test_copies_expected_fraction():
    n = sum(copies(f"d{i}", 0.3, 0) for i in range(20000))
    assert abs(n / 20000 - 0.3) < 0.02
    assert all(copies(f"d{i}", 2.0, 0) == 2 for i in range(10))


def test_pack_documents_concat_chunk_pad():
    seqs, lengths = pack_documents([[1, 2, 3], [4, 5], [6, 7, 8, 9, 10]], seq_len=4, eos_id=0, pad_id=-1)
    assert seqs.tolist() == [[1, 2, 3, 0], [4, 5, 0, 6], [7, 8, 9, 10], [0, -1, -1, -1]]
    assert lengths.tolist() == [4, 4, 4, 1]
    empty, n = pack_documents([], 8, 0, 0)
    assert empty.shape == (0, 8) and n.shape == (0,)
    assert seqs.dtype == np.int32


def test_render_chat_is_chatml():
    text = render_chat([{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}])
    assert text == "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\nyo<|im_end|>\n"
