"""Structure of the training stage: imports run downward (no cycles) and the adapter merge exists once."""

from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[2] / "platform" / "songsage"


def _imports(path: Path) -> set[str]:
    """Every ``songsage.*`` module that ``path`` imports, at top level or inside functions (except a CLI
    ``main``, the top of the graph)."""
    out: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for fn in [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "main"]:
        tree.body.remove(fn)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("songsage"):
            out.add(node.module)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("songsage"))
    return out


def test_train_and_models_imports_have_no_cycle() -> None:
    graph = {
        "songsage." + ".".join(p.relative_to(PKG).with_suffix("").parts): _imports(p)
        for sub in ("train", "models")
        for p in (PKG / sub).glob("*.py")
    }
    assert "songsage.train.dpo" not in graph["songsage.train.sft"]

    def visit(node: str, stack: list[str]) -> None:
        assert node not in stack, " -> ".join([*stack, node])
        for dep in graph.get(node, ()):
            visit(dep, [*stack, node])

    for module in graph:
        visit(module, [])


def test_adapter_merge_is_written_once() -> None:
    hits = [
        str(p.relative_to(PKG))
        for p in PKG.rglob("*.py")
        if "merge_and_unload(" in p.read_text(encoding="utf-8")
    ]
    assert hits == ["models/registry.py"], hits


def test_merged_sft_model_equals_base_plus_adapter(tmp_path: Path) -> None:
    """dpo.merge_sft (through the registry's merge) gives the logits of base + adapter."""
    import torch
    from peft import get_peft_model

    from songsage.config import load_config
    from songsage.config.train import ModelConfig
    from songsage.models.registry import load_model, load_model_tokenizer
    from songsage.train.dpo import SFT_MERGED_DIR, merge_sft
    from songsage.train.lora import lora_config, save_adapter
    from tests.sft.lossutil import TINY, tiny_model

    base_dir = tmp_path / "base"
    base = tiny_model()
    base.save_pretrained(str(base_dir))
    tok = load_model_tokenizer(ModelConfig(tiny=TINY))
    tok.save_pretrained(str(base_dir))
    cfg = load_config(None, ["sft.lora_r=4"])
    peft_model = get_peft_model(base, lora_config(cfg.sft))
    with torch.no_grad():
        for name, p in peft_model.named_parameters():
            if "lora_B" in name:
                p.normal_(0, 0.5)  # a trained-looking adapter (B = 0 would merge to the base)
    save_adapter(peft_model, tok, str(tmp_path / "adapter"), 2, 0, str(base_dir))
    peft_model.eval()
    ids = torch.tensor([[3, 17, 250, 9, 77]])
    with torch.no_grad():
        expected = peft_model(input_ids=ids).logits
    merged_cfg = merge_sft(cfg, str(tmp_path / "adapter"), str(tmp_path))
    assert merged_cfg.name_or_path == str(tmp_path / SFT_MERGED_DIR)
    merged = load_model(merged_cfg).eval()
    with torch.no_grad():
        got = merged(input_ids=ids).logits
    torch.testing.assert_close(got, expected, rtol=1e-4, atol=1e-5)
    with peft_model.disable_adapter(), torch.no_grad():
        assert not torch.allclose(peft_model(input_ids=ids).logits, got, atol=1e-3)
