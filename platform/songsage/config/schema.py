"""The one config schema: a section per stage. Profiles in ``configs/*.yaml`` fill it.

Paths may be local paths, globs or URIs (``s3://bucket/prefix``). Empty strings mean "derive
from the run directory" (see :func:`songsage.config.paths.stage_dir`), so local stages chain
without flags.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from songsage.config.eval import EncoderConfig, EvalConfig, GeneratorConfig
from songsage.config.loader import ConfigError
from songsage.config.proof import ProofConfig
from songsage.config.serve import ServeConfig
from songsage.config.sft import DPOConfig, PreferencesConfig, SFTConfig, SFTDataConfig
from songsage.config.train import ModelConfig, PretrainConfig
from songsage.config.tune import SweepConfig

WORKER_LOGS = ("songsage", "all")


@dataclass
class RunConfig:
    """Run identity. ``dir`` is the run directory that local stages chain through."""

    name: str = "local"
    dir: str = "runs/local"
    seed: int = 0
    # The node-local cache root on every node (URI artifacts fetched for local-only libraries, upload staging):
    # '' = $SONGSAGE_NODE_CACHE, else ~/.cache/songsage/node-cache. Shipped to the workers.
    node_cache: str = ""


@dataclass
class OutputConfig:
    """Where a job writes. Empty ``dir`` -> ``<run.dir>/<job name>``."""

    dir: str = ""


@dataclass
class TrackingConfig:
    """MLflow. Empty ``uri`` -> ``$MLFLOW_TRACKING_URI`` or ``sqlite:///<run.dir>/mlflow.db``."""

    enabled: bool = True
    uri: str = ""
    experiment: str = "songsage"
    artifact_location: str = ""


@dataclass
class RayConfig:
    """Ray connection. Empty ``address`` -> join ``RAY_ADDRESS`` if set, else start a local Ray."""

    address: str = ""
    num_cpus: int | None = None
    # Blocks per dataset. Few blocks are much faster on a 2-core laptop; raise on clusters.
    target_blocks: int = 4
    # Ray Data progress bars in a terminal (to a log or pipe they are never drawn).
    progress_bars: bool = True
    # Worker output echoed to the driver's console: "songsage" = SongSage's own "[stage] ..." lines and
    # errors (everything else stays in the worker logs under Ray's session log dir), "all" = Ray's default.
    worker_logs: str = "songsage"

    def validate(self, prefix: str) -> None:
        if self.worker_logs not in WORKER_LOGS:
            raise ConfigError(
                f"{prefix}.worker_logs: one of {', '.join(WORKER_LOGS)}, got {self.worker_logs!r}"
            )


@dataclass
class DataConfig:
    """Raw inputs: path, glob or URI (``s3://...``). ``general`` may be empty (no mixing)."""

    songs: str = "data/sample/songs.jsonl"
    playlists: str = "data/sample/playlists.jsonl"
    general: str = "data/sample/general.jsonl"
    # Packed token shards for pretraining (curation's shards/); empty -> <run.dir>/curate/shards.
    shards: str = ""


@dataclass
class TokenizerConfig:
    """Tokenizer: ``qwen2.5-offline`` (exact Qwen2.5, rebuilt offline) or any HF tokenizer path/id."""

    name_or_path: str = "qwen2.5-offline"
    trust_remote_code: bool = False


@dataclass
class NormalizeConfig:
    """Lyric normalization switches (all on by default)."""

    strip_lrc: bool = True
    strip_credits: bool = True
    strip_html: bool = True
    fix_mojibake: bool = True
    nfkc: bool = True
    # Extra credit-line prefixes on top of the built-in list (matched at line start, before ':').
    extra_credit_prefixes: list[str] = field(default_factory=list)


@dataclass
class QualityConfig:
    """Quality filters on normalized lyrics. Each threshold has a reason code in the funnel."""

    min_lines: int = 2
    min_chars: int = 20
    # Songs whose most common line makes up more than this share of lines are spam.
    max_top_line_share: float = 0.5
    # Share of characters that must be letters (any script) among non-space characters.
    min_letter_ratio: float = 0.6
    max_chars: int = 20000
    extra_instrumental_patterns: list[str] = field(default_factory=list)


@dataclass
class DedupConfig:
    """Exact + MinHash-LSH near-duplicate removal on normalized lyrics."""

    shingle_size: int = 5
    num_perm: int = 128
    bands: int = 16
    threshold: float = 0.8
    seed: int = 1
    # Candidate pairs are verified with the exact shingle Jaccard (drops LSH false positives).
    verify: bool = True
    # An LSH bucket proposes all its pairs up to this many members, a sliding window of pairs above.
    max_bucket_size: int = 256
    # Connected components of the verified pairs run on the driver up to this many edges (ids only),
    # as distributed min-label propagation on Ray Data above it.
    driver_components_max_edges: int = 1_000_000
    # Verification broadcasts the texts of the songs in candidate pairs to every task up to this many
    # songs (about 1 KB each), and hash-joins each pair with both texts above it.
    broadcast_max_texts: int = 200_000

    def validate(self, prefix: str) -> None:
        if self.num_perm % self.bands:
            raise ConfigError(
                f"{prefix}.bands: num_perm ({self.num_perm}) must be divisible by bands ({self.bands})"
            )
        if not 0 < self.threshold <= 1:
            raise ConfigError(f"{prefix}.threshold: must be in (0, 1], got {self.threshold}")
        if self.shingle_size < 1:
            raise ConfigError(f"{prefix}.shingle_size: must be >= 1")
        if self.max_bucket_size < 2:
            raise ConfigError(f"{prefix}.max_bucket_size: must be >= 2, got {self.max_bucket_size}")
        if self.driver_components_max_edges < 0:
            raise ConfigError(f"{prefix}.driver_components_max_edges: must be >= 0")
        if self.broadcast_max_texts < 0:
            raise ConfigError(f"{prefix}.broadcast_max_texts: must be >= 0")


@dataclass
class LangIdConfig:
    """Per-song language identification. Languages outside ``languages`` become ``other``."""

    languages: list[str] = field(default_factory=lambda: ["en", "zh", "ja", "ko"])
    # Below this confidence a song is ``other`` unless the source's language hint agrees.
    min_confidence: float = 0.5
    # Any kana above this share of letters -> ja; any hangul above it -> ko (script evidence).
    kana_share: float = 0.05
    hangul_share: float = 0.2
    # Latin-script text shorter than this is never called ``other``: the detector is unreliable on
    # a few words ("Kiss me slowly" scores as Slovak), so short text picks among the targets.
    other_min_chars: int = 60


@dataclass
class BalanceConfig:
    """Deterministic downsampling to language ratios (default en:zh:ko:ja = 2:2:1:1)."""

    enabled: bool = True
    ratios: dict[str, float] = field(default_factory=lambda: {"en": 2.0, "zh": 2.0, "ko": 1.0, "ja": 1.0})
    seed: int = 0

    def validate(self, prefix: str) -> None:
        for lang, r in self.ratios.items():
            if r < 0:
                raise ConfigError(f"{prefix}.ratios.{lang}: must be >= 0, got {r}")
        if not any(r > 0 for r in self.ratios.values()):
            raise ConfigError(f"{prefix}.ratios: at least one ratio must be > 0")


@dataclass
class GeneralSourceConfig:
    """One general-data source (a Table 10 row): records whose ``source`` field equals ``name``."""

    name: str = ""
    weight: float = 1.0
    category: str = "general"


@dataclass
class MixConfig:
    """General:lyrics token mixing. ``general_ratio`` = general tokens per lyric token."""

    general_ratio: float = 4.0
    # Sources and their weights; empty -> every source found, equal weights.
    sources: list[GeneralSourceConfig] = field(default_factory=list)
    # How many passes over a small source are allowed to reach its token target.
    max_epochs: float = 1.0
    seed: int = 0


@dataclass
class PackConfig:
    """Tokenization + packing into fixed-length sequences with EOS separators."""

    seq_len: int = 2048
    # Each lyric becomes one document with this template (fields: name, artist, album, lyrics).
    lyric_template: str = "{name}\n{artist}\n\n{lyrics}"
    # Parquet shards written (deterministic file names shard-00000.parquet, ...).
    num_shards: int = 4
    tokenize_batch_size: int = 256


@dataclass
class CurateConfig:
    """All curation stages."""

    normalize: NormalizeConfig = field(default_factory=NormalizeConfig)
    quality: QualityConfig = field(default_factory=QualityConfig)
    dedup: DedupConfig = field(default_factory=DedupConfig)
    langid: LangIdConfig = field(default_factory=LangIdConfig)
    balance: BalanceConfig = field(default_factory=BalanceConfig)
    mix: MixConfig = field(default_factory=MixConfig)
    pack: PackConfig = field(default_factory=PackConfig)
    # Parquet files for the curated song table.
    song_files: int = 4
    # A join whose smaller side (duplicate marks, near-duplicate clusters, kept song ids) has at most
    # this many rows sends that side's blocks to every task (no shuffle of the large side); above it,
    # a hash-partitioned Dataset.join runs instead. Both give the same rows.
    broadcast_max_rows: int = 5_000_000

    def validate(self, prefix: str) -> None:
        if self.broadcast_max_rows < 0:
            raise ConfigError(f"{prefix}.broadcast_max_rows: must be >= 0, got {self.broadcast_max_rows}")


@dataclass
class PipelineConfig:
    """The main job (``make demo``): stages run in this order, chained through ``run.dir``."""

    stages: list[str] = field(default_factory=lambda: ["curate"])


@dataclass
class Config:
    """Root of every profile."""

    run: RunConfig = field(default_factory=RunConfig)
    pipeline: PipelineConfig = field(default_factory=PipelineConfig)
    output: OutputConfig = field(default_factory=OutputConfig)
    tracking: TrackingConfig = field(default_factory=TrackingConfig)
    ray: RayConfig = field(default_factory=RayConfig)
    data: DataConfig = field(default_factory=DataConfig)
    tokenizer: TokenizerConfig = field(default_factory=TokenizerConfig)
    curate: CurateConfig = field(default_factory=CurateConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    encoder: EncoderConfig = field(default_factory=EncoderConfig)
    generator: GeneratorConfig = field(default_factory=GeneratorConfig)
    eval: EvalConfig = field(default_factory=EvalConfig)
    pretrain: PretrainConfig = field(default_factory=PretrainConfig)
    serve: ServeConfig = field(default_factory=ServeConfig)
    sft_data: SFTDataConfig = field(default_factory=SFTDataConfig)
    preferences: PreferencesConfig = field(default_factory=PreferencesConfig)
    sft: SFTConfig = field(default_factory=SFTConfig)
    dpo: DPOConfig = field(default_factory=DPOConfig)
    sweep: SweepConfig = field(default_factory=SweepConfig)
    proof: ProofConfig = field(default_factory=ProofConfig)
