"""The playlists PlaylistSense evaluates, joined with their songs' lyrics: read by the evaluation and by
the SFT decontamination (which keeps those playlists out of training).

Input: a playlist table (``playlist_id``, ``title``, ``tags``, ``description``, ``kept_song_ids`` when
curated else ``song_ids``) and a song table (``song_id``, ``lyrics_norm`` or ``lyrics``, optional
``name``); output: :class:`Playlist` records in table order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from songsage.config import Config
from songsage.config.paths import join, run_dir
from songsage.storage import as_list, exists, read_table


@dataclass
class Playlist:
    """One playlist with the songs' lyrics in playlist order."""

    playlist_id: str
    title: str
    tags: list[str]
    description: str
    lyrics: list[str]
    # Song titles aligned with ``lyrics`` (empty strings when the song table has no names).
    names: list[str] = field(default_factory=list)


def input_paths(cfg: Config) -> tuple[str, str]:
    """Playlist and song tables: configured, else the curation outputs, else the raw data paths."""
    ps = cfg.eval.playlistsense
    curated = join(run_dir(cfg), "curate")
    playlists = ps.playlists or join(curated, "playlists")
    songs = ps.songs or join(curated, "songs")
    if not ps.playlists and not exists(playlists):
        print(f"playlistsense: {playlists} not found (curate not run); using raw {cfg.data.playlists}")
        playlists, songs = cfg.data.playlists, (ps.songs or cfg.data.songs)
    return playlists, songs


def load_playlists(
    playlists_path: str, songs_path: str, songs_per_playlist: int, max_playlists: int = 0
) -> list[Playlist]:
    """Playlists (``kept_song_ids`` when curated, else ``song_ids``) joined with lyrics (``lyrics_norm`` or ``lyrics``)."""
    pl = read_table(playlists_path)
    songs = read_table(songs_path)
    lyric_col = "lyrics_norm" if "lyrics_norm" in songs.columns else "lyrics"
    song_ids = songs["song_id"].astype(str)
    lyrics = dict(zip(song_ids, songs[lyric_col].fillna("").astype(str), strict=True))
    names = (
        dict(zip(song_ids, songs["name"].fillna("").astype(str), strict=True))
        if "name" in songs.columns
        else {}
    )
    out: list[Playlist] = []
    for row in pl.to_dict("records"):
        ids = [i for i in as_list(row.get("kept_song_ids")) or as_list(row.get("song_ids")) if i in lyrics]
        ids = ids[:songs_per_playlist]
        if not ids:
            continue
        desc = row.get("description")
        out.append(
            Playlist(
                str(row["playlist_id"]),
                str(row.get("title") or ""),
                as_list(row.get("tags")),
                desc if isinstance(desc, str) else "",
                [lyrics[i] for i in ids],
                [names.get(i, "") for i in ids],
            )
        )
        if max_playlists and len(out) >= max_playlists:
            break
    return out
