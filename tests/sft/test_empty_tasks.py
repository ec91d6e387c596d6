"""A LyricBank-SFT task that gets no candidates (the evaluation pool swallowed its playlists) stops the build."""

import pytest

from songsage.data.sft.build import BuildResult, check_every_task_has_candidates


def test_a_task_without_candidates_is_an_error_naming_it_and_the_decontamination():
    result = BuildResult(out_dir="x")
    result.decontam = {"playlists_dropped": 20}
    result.candidates = {"lyrics_to_title": 5, "playlist_tags": 0}
    counts = {"lyrics_to_title": 2, "playlist_tags": 2, "playlist_description": 2, "query_rewrite": 0}
    with pytest.raises(ValueError, match="playlist_description, playlist_tags; decontamination removed 20"):
        check_every_task_has_candidates(counts, result)
    result.candidates.update(playlist_tags=3, playlist_description=1)
    check_every_task_has_candidates(counts, result)
