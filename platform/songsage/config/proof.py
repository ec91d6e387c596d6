"""Config section of the proof (``jobs/proof.py``): the held-out split, the stages trained on the rest, and
the side-by-side evaluation of the base model and each stage's model on the held-out split only."""

from __future__ import annotations

from dataclasses import dataclass, field

from songsage.config.loader import ConfigError

METRIC_GROUPS = ("perplexity", "table2", "playlistsense", "choice")
TRAIN_STAGES = ("curate", "pretrain", "build_sft", "sft", "build_preferences", "dpo")


@dataclass
class ProofConfig:
    """What ``jobs/proof.py`` splits, trains and compares (``songsage.proof``)."""

    # The split (songsage.data.heldout): seeded shares of whole playlists, of the other song groups and of
    # general-text documents held out; a training playlist left with fewer songs than this is dropped.
    seed: int = 0
    heldout_playlist_fraction: float = 0.15
    heldout_song_fraction: float = 0.05
    heldout_general_fraction: float = 0.05
    min_playlist_songs: int = 2
    # Stages run on the training split, in order (under <out>/train); each model column needs its stage.
    train_stages: list[str] = field(default_factory=lambda: list(TRAIN_STAGES))
    # Metric groups compared: held-out lyric perplexity per language and general-text perplexity; Table 2 on
    # LyricBank-SFT built from the held-out split; PlaylistSense HR@k on held-out playlists; multiple choice.
    metrics: list[str] = field(default_factory=lambda: list(METRIC_GROUPS))
    # Held-out LyricBank-SFT (Table 2 rows): samples built, and samples per task scored.
    heldout_sft_samples: int = 400
    table2_per_task: int = 20
    # Perplexity: held-out songs per language and general documents scored, tokens per item, batch size.
    ppl_songs_per_language: int = 50
    ppl_general_docs: int = 50
    ppl_max_tokens: int = 256
    ppl_batch_size: int = 4
    # Paired bootstrap over held-out items: resamples, confidence of the interval, seed.
    bootstrap_resamples: int = 1000
    confidence: float = 0.95
    bootstrap_seed: int = 0
    # Re-evaluate an earlier run in the same run.dir: a stage whose output is complete (manifest.json) is not
    # run again, the split is remade and must equal the recorded one (else an error).
    reuse: bool = False

    def validate(self, prefix: str) -> None:
        for name in ("heldout_playlist_fraction", "heldout_song_fraction", "heldout_general_fraction"):
            value = getattr(self, name)
            if not 0 <= value < 1:
                raise ConfigError(f"{prefix}.{name}: must be in [0, 1), got {value}")
        if self.heldout_playlist_fraction == 0 and self.heldout_song_fraction == 0:
            raise ConfigError(f"{prefix}: heldout_playlist_fraction and heldout_song_fraction are both 0")
        bad = [s for s in self.train_stages if s not in TRAIN_STAGES]
        if bad:
            raise ConfigError(f"{prefix}.train_stages: unknown {bad}; choose from {list(TRAIN_STAGES)}")
        bad = [m for m in self.metrics if m not in METRIC_GROUPS]
        if bad or not self.metrics:
            raise ConfigError(f"{prefix}.metrics: unknown {bad} or empty; choose from {list(METRIC_GROUPS)}")
        if not 0 < self.confidence < 1:
            raise ConfigError(f"{prefix}.confidence: must be in (0, 1), got {self.confidence}")
        if self.bootstrap_resamples < 100:
            raise ConfigError(f"{prefix}.bootstrap_resamples: at least 100, got {self.bootstrap_resamples}")
        for name in ("table2_per_task", "ppl_songs_per_language", "ppl_general_docs", "ppl_max_tokens"):
            if getattr(self, name) < 1:
                raise ConfigError(f"{prefix}.{name}: must be >= 1")
