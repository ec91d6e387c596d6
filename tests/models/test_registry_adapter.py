"""A PEFT adapter directory loads through the registry as base + merged adapter."""

from __future__ import annotations

import dataclasses
import json

import pytest
import torch

from songsage.models.registry import adapter_base, load_model, load_model_tokenizer


def _adapter(tmp_path, tiny_model_cfg, with_tokenizer: bool):
    from peft import LoraConfig, get_peft_model

    torch.manual_seed(0)
    base_dir = tmp_path / "base"
    base = load_model(tiny_model_cfg)
    base.save_pretrained(base_dir)
    load_model_tokenizer(tiny_model_cfg).save_pretrained(base_dir)
    peft = get_peft_model(
        base, LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"], init_lora_weights=False)
    )
    peft.peft_config["default"].base_model_name_or_path = str(base_dir)
    adapter_dir = tmp_path / "adapter"
    peft.save_pretrained(adapter_dir)
    if with_tokenizer:
        load_model_tokenizer(tiny_model_cfg).save_pretrained(adapter_dir)
    ids = torch.tensor([[1, 2, 3, 4, 5]])
    with torch.no_grad():
        expected = peft(input_ids=ids).logits
    return base_dir, adapter_dir, ids, expected


@pytest.mark.parametrize("with_tokenizer", [True, False])
def test_adapter_dir_loads_merged(tmp_path, tiny_model_cfg, with_tokenizer):
    base_dir, adapter_dir, ids, expected = _adapter(tmp_path, tiny_model_cfg, with_tokenizer)
    assert adapter_base(str(adapter_dir)) == str(base_dir) and adapter_base(str(base_dir)) == ""
    cfg = dataclasses.replace(tiny_model_cfg, name_or_path=str(adapter_dir))
    model = load_model(cfg)
    assert not hasattr(model, "peft_config")  # merged into a plain transformers model
    with torch.no_grad():
        got = model(input_ids=ids).logits
    assert torch.allclose(got, expected, atol=1e-5)
    # The LoRA update is not a no-op: the base alone answers differently.
    with torch.no_grad():
        plain = load_model(dataclasses.replace(tiny_model_cfg, name_or_path=str(base_dir)))(
            input_ids=ids
        ).logits
    assert not torch.allclose(plain, expected, atol=1e-5)
    tok = load_model_tokenizer(cfg)
    assert tok("hello")["input_ids"] and tok.chat_template


def test_adapter_without_base_is_a_clear_error(tmp_path):
    (tmp_path / "adapter_config.json").write_text(json.dumps({"peft_type": "LORA"}))
    with pytest.raises(ValueError, match="base_model_name_or_path"):
        adapter_base(str(tmp_path))
