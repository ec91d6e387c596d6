"""Decontamination: the song and playlist ids of evaluation sets, which no training sample may use.

Sources (``sft_data.decontam``): id files (jsonl/json/parquet, a directory of parquet files, or txt with
one id a line) whose ``song_id`` / ``playlist_id`` columns are read, and the playlists PlaylistSense
evaluates (the same selection ``eval.playlistsense`` makes: inputs and ``max_playlists``), optionally with
their songs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from songsage.config import Config


@dataclass
class EvalIds:
    """Ids to keep out of training data, and where they came from (for the manifest)."""

    songs: set[str] = field(default_factory=set)
    playlists: set[str] = field(default_factory=set)
    sources: list[str] = field(default_factory=list)


def read_ids_file(path: str) -> tuple[set[str], set[str]]:
    """(song ids, playlist ids) in one file; a .txt file's ids go in both sets. Raises FileNotFoundError."""
    from songsage.storage import exists, read_table, read_text

    if not exists(path):
        raise FileNotFoundError(f"sft_data.decontam.ids_files: {path} does not exist")
    if path.endswith(".txt"):
        ids = {ln.strip() for ln in read_text(path).splitlines() if ln.strip()}
        return ids, set(ids)
    df = read_table(path)
    songs = set(df["song_id"].astype(str)) if "song_id" in df.columns else set()
    playlists = set(df["playlist_id"].astype(str)) if "playlist_id" in df.columns else set()
    return songs, playlists


def eval_ids(cfg: Config) -> EvalIds:
    """Every evaluation id the config names."""
    dc = cfg.sft_data.decontam
    out = EvalIds()
    for path in dc.ids_files:
        songs, playlists = read_ids_file(path)
        out.songs |= songs
        out.playlists |= playlists
        out.sources.append(f"{path}: {len(songs)} songs, {len(playlists)} playlists")
    if dc.playlistsense:
        from songsage.data.playlists import input_paths, load_playlists

        ps = cfg.eval.playlistsense
        pl_path, songs_path = input_paths(cfg)
        selected = load_playlists(pl_path, songs_path, ps.songs_per_playlist, ps.max_playlists)
        out.playlists |= {p.playlist_id for p in selected}
        n_songs = 0
        if dc.playlistsense_songs:
            from songsage.storage import as_list, read_table

            table = read_table(pl_path)
            keep = {p.playlist_id for p in selected}
            for row in table.to_dict("records"):
                if str(row["playlist_id"]) in keep:
                    ids = as_list(row.get("kept_song_ids")) or as_list(row.get("song_ids"))
                    out.songs |= set(ids)
                    n_songs += len(ids)
        out.sources.append(f"playlistsense ({pl_path}): {len(selected)} playlists, {n_songs} songs")
    return out
