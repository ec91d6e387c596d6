"""Config sections for instruction tuning: ``sft_data``, ``preferences``, ``sft`` and ``dpo``.

- ``sft_data``: the LyricBank-SFT builder (paper 4.3 and appendix "LyricBank-SFT Dataset Construction"):
  nine tasks, mixture weights, teacher generator, keyword/emotion settings, split and decontamination.
- ``preferences``: the preference set (paper 4.4): prompts per task, a strong (chosen) and a weak
  (rejected) generator.
- ``sft``: LoRA SFT on Ray Train + DeepSpeed; extends the pretrain section (same launcher) with LoRA
  fields. Defaults are Table 8: r 32, alpha 64, dropout 0.05, all linear modules, lr 1e-4, cosine,
  warmup 0.03, weight decay 0.1, clipping 1.0, per-device batch 8, accumulation 8, 2048 tokens.
- ``dpo``: DPO with LoRA (paper section 5: batch 128, 3 epochs), extends ``sft``.

Empty path strings mean "derive from the run directory" (the previous stage's output).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from songsage.config.eval import GeneratorConfig
from songsage.config.loader import ConfigError
from songsage.config.train import PretrainConfig

# The nine LyricBank-SFT tasks, in the paper's order (appendix "LyricBank-SFT Dataset Construction").
SFT_TASKS = [
    "query_rewrite",  # 1 user query -> playlist description
    "playlist_tags",  # 2 playlist -> tags
    "playlist_description",  # 3 playlist -> description
    "lyrics_story",  # 4 lyrics -> the story of the song
    "lyrics_continuation",  # 5 first half -> second half
    "keywords_to_lyrics",  # 6 keywords -> lyrics
    "lyrics_artist",  # 7 lyrics -> artist
    "lyrics_title",  # 8 lyrics -> title
    "lyrics_emotion",  # 9 lyrics -> emotion
]
GENERAL_TASK = "general"
# Default local teacher / strong generator: SmolLM2-135M-Instruct (a real instruction model, offline).
SMOLLM2_NAME = "smollm2-135m-instruct"


def _equal_weights() -> dict[str, float]:
    # Figure 2's per-task percentages are a pie chart that is not in the paper's text; until they are
    # read off the figure the tasks are weighted equally (set sft_data.task_weights to change).
    return {t: 1.0 for t in SFT_TASKS}


def _teacher() -> GeneratorConfig:
    return GeneratorConfig(
        backend="hf",
        model=SMOLLM2_NAME,
        max_new_tokens=96,
        temperature=0.7,
        top_p=0.9,
        batch_size=8,
        max_input_tokens=1024,
    )


@dataclass
class KeywordConfig:
    """Keyword extraction for task 6: jieba TF-IDF/TextRank for Chinese, sklearn TF-IDF for the rest."""

    top_k: int = 5
    # "tfidf" (jieba.analyse.extract_tags) or "textrank" (jieba.analyse.textrank) for zh.
    zh_method: str = "tfidf"
    # Playlist/song tags put in front of the extracted words (up to top_k in total).
    include_tags: bool = True
    # Shortest keyword kept (characters).
    min_chars: int = 2
    # Songs per language the TF-IDF IDF is fitted on (the first ones in table order).
    fit_max_songs: int = 20000

    def validate(self, prefix: str) -> None:
        if self.top_k < 1:
            raise ConfigError(f"{prefix}.top_k: must be >= 1")
        if self.zh_method not in ("tfidf", "textrank"):
            raise ConfigError(f"{prefix}.zh_method: tfidf or textrank, got {self.zh_method!r}")


@dataclass
class DecontamConfig:
    """Drop every sample whose song or playlist is in an evaluation set."""

    # Files (jsonl/json/parquet/txt, or dirs of parquet) with song_id and/or playlist_id columns (txt: one id
    # a line, matched against both).
    ids_files: list[str] = field(default_factory=list)
    # The playlists that PlaylistSense evaluates (eval.playlistsense selection: same inputs, max_playlists).
    playlistsense: bool = True
    # Also drop the songs of those playlists (their lyrics are in the evaluation contexts).
    playlistsense_songs: bool = False


@dataclass
class SFTDataConfig:
    """LyricBank-SFT builder (``jobs/build_sft.py``)."""

    # Curated tables; '' -> <run.dir>/curate/songs and <run.dir>/curate/playlists.
    songs: str = ""
    playlists: str = ""
    tasks: list[str] = field(default_factory=lambda: list(SFT_TASKS))
    # Samples over all nine tasks before decontamination; split by task_weights (normalised). Tasks with
    # fewer candidates give what they have.
    total_samples: int = 775_000
    task_weights: dict[str, float] = field(default_factory=_equal_weights)
    # General instruction data: chat records (``messages``) of these sources in data.general (or ``general``),
    # general_ratio samples per LyricBank-SFT sample; 0 = none.
    general: str = ""
    general_sources: list[str] = field(default_factory=lambda: ["chat"])
    general_ratio: float = 0.25
    validation_fraction: float = 0.02
    # At least this many samples of each task go to validation (the Table 2 evaluation reads them), leaving
    # at least one per task for training; general chats follow validation_fraction only.
    validation_min_per_task: int = 0
    seed: int = 0
    # Languages whose samples use the Chinese templates; every other language uses the English ones.
    zh_languages: list[str] = field(default_factory=lambda: ["zh"])
    # Lyrics in prompts are cut to this many characters (whole lines); continuation needs min_lines lines.
    max_lyrics_chars: int = 800
    min_lines: int = 4
    # Songs listed per playlist in playlist prompts.
    songs_per_playlist: int = 15
    # Task 9: playlist tag (case-insensitive) -> emotion label; empty -> songsage.data.sft.emotions.DEFAULT_EMOTION_MAP.
    emotion_map: dict[str, str] = field(default_factory=dict)
    keywords: KeywordConfig = field(default_factory=KeywordConfig)
    decontam: DecontamConfig = field(default_factory=DecontamConfig)
    # Writes stories, user queries, query rewrites and missing playlist descriptions.
    teacher: GeneratorConfig = field(default_factory=_teacher)
    # Teacher outputs by prompt hash ('' -> <run.dir>/cache/teacher); a rebuild only asks for what is missing.
    cache_dir: str = ""
    # Rows per output Parquet file (train/part-00000.parquet, ...).
    rows_per_file: int = 100_000
    # Teacher answers shorter than this (characters) are dropped with their sample.
    min_teacher_chars: int = 8

    def validate(self, prefix: str) -> None:
        bad = [t for t in self.tasks if t not in SFT_TASKS]
        if bad:
            raise ConfigError(f"{prefix}.tasks: unknown {bad}; choose from {SFT_TASKS}")
        bad = [t for t in self.task_weights if t not in SFT_TASKS]
        if bad:
            raise ConfigError(f"{prefix}.task_weights: unknown tasks {bad}")
        if any(w < 0 for w in self.task_weights.values()):
            raise ConfigError(f"{prefix}.task_weights: weights must be >= 0")
        if self.total_samples < 1:
            raise ConfigError(f"{prefix}.total_samples: must be >= 1")
        if not 0 <= self.validation_fraction < 1:
            raise ConfigError(f"{prefix}.validation_fraction: must be in [0, 1)")
        if self.validation_min_per_task < 0:
            raise ConfigError(f"{prefix}.validation_min_per_task: must be >= 0")
        if self.general_ratio < 0:
            raise ConfigError(f"{prefix}.general_ratio: must be >= 0")


def _strong() -> GeneratorConfig:
    return GeneratorConfig(
        backend="hf",
        model=SMOLLM2_NAME,
        max_new_tokens=96,
        temperature=0.3,
        top_p=0.9,
        batch_size=8,
        max_input_tokens=1024,
    )


def _weak() -> GeneratorConfig:
    # The tiny random model (model.tiny) sampled hot: clearly worse than the strong generator.
    return GeneratorConfig(
        backend="hf",
        model="tiny-qwen2",
        max_new_tokens=48,
        temperature=1.0,
        top_p=1.0,
        batch_size=16,
        max_input_tokens=1024,
    )


@dataclass
class PreferencesConfig:
    """Preference set (``jobs/build_preferences.py``): chosen from ``strong``, rejected from ``weak``."""

    # LyricBank-SFT output dir (prompts are its training samples); '' -> <run.dir>/build_sft.
    source: str = ""
    tasks: list[str] = field(default_factory=lambda: list(SFT_TASKS))
    per_task: int = 1000
    strong: GeneratorConfig = field(default_factory=_strong)
    weak: GeneratorConfig = field(default_factory=_weak)
    # '' -> <run.dir>/cache/preferences (prompt-hash cache of both generators' answers).
    cache_dir: str = ""
    # Pairs whose chosen or rejected answer is shorter than this (characters, stripped) are dropped.
    min_chars: int = 1
    seed: int = 0

    def validate(self, prefix: str) -> None:
        bad = [t for t in self.tasks if t not in SFT_TASKS]
        if bad:
            raise ConfigError(f"{prefix}.tasks: unknown {bad}; choose from {SFT_TASKS}")
        if self.per_task < 1:
            raise ConfigError(f"{prefix}.per_task: must be >= 1")


@dataclass
class SFTConfig(PretrainConfig):
    """LoRA SFT on Ray Train + DeepSpeed (Table 8). Inherits optimizer, batch, DeepSpeed, checkpointing and
    worker fields from the pretrain section; ``seq_len`` is the longest sample in tokens (longer ones are cut)."""

    lr: float = 1e-4
    adam_beta2: float = 0.999
    # SFT data dir (train/ + validation/); '' -> <run.dir>/build_sft.
    data: str = ""
    # Base model: '' -> <run.dir>/pretrain/model when it exists, else model.name_or_path.
    base_model: str = ""
    # "qwen2.5" sets the Qwen2.5 ChatML template (assistant turns marked with {% generation %}); "model" keeps
    # the tokenizer's own (it must mark assistant turns); anything else is a Jinja template file.
    chat_template: str = "qwen2.5"
    lora_r: int = 32
    lora_alpha: int = 64
    lora_dropout: float = 0.05
    # "all-linear" = every linear layer but the output head (Table 8 "ALL"); or a list of module names.
    lora_target_modules: list[str] = field(default_factory=lambda: ["all-linear"])
    # Also save base + adapter merged into one model dir.
    save_merged: bool = False
    # Rows of the global batch; > 0 derives grad_accum = global_batch / (per_device_batch * num_workers).
    global_batch: int = 0

    def validate(self, prefix: str) -> None:
        super().validate(prefix)
        if self.lora_r < 1 or self.lora_alpha <= 0:
            raise ConfigError(f"{prefix}.lora_r/lora_alpha: must be positive")
        if not 0 <= self.lora_dropout < 1:
            raise ConfigError(f"{prefix}.lora_dropout: must be in [0, 1)")
        if self.global_batch < 0:
            raise ConfigError(f"{prefix}.global_batch: must be >= 0")
        if self.global_batch and self.global_batch % (self.per_device_batch * self.num_workers):
            raise ConfigError(
                f"{prefix}.global_batch: {self.global_batch} is not a multiple of per_device_batch x num_workers "
                f"({self.per_device_batch} x {self.num_workers})"
            )

    def accumulation(self) -> int:
        """Gradient accumulation steps: from ``global_batch`` when set, else ``grad_accum``."""
        if self.global_batch:
            return self.global_batch // (self.per_device_batch * self.num_workers)
        return self.grad_accum


@dataclass
class DPOConfig(SFTConfig):
    """DPO with LoRA on the SFT model (paper section 5: global batch 128, 3 epochs). The SFT adapter is merged
    into the base; a fresh LoRA adapter is trained on top, and the reference is that model with the adapter
    disabled (one copy of the weights)."""

    # The paper gives no DPO learning rate; 5e-5 is a common LoRA-DPO value.
    lr: float = 5e-5
    epochs: int = 3
    global_batch: int = 128
    per_device_batch: int = 1
    beta: float = 0.1
    # Preference pairs dir; '' -> <run.dir>/build_preferences.
    data: str = ""
    # SFT adapter dir; '' -> <run.dir>/sft/adapter ("none": DPO straight on the base model).
    sft_adapter: str = ""

    def validate(self, prefix: str) -> None:
        super().validate(prefix)
        if self.beta <= 0:
            raise ConfigError(f"{prefix}.beta: must be > 0")
