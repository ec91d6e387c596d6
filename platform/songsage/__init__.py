"""SongSage platform: curate lyric data, train, evaluate and serve musical language models on Ray."""

__version__ = "0.1.0"
