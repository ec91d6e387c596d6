"""The one Markdown-table writer."""

from __future__ import annotations

import pytest

from songsage.markdown import markdown_table


def test_header_separator_rows_and_alignment() -> None:
    assert markdown_table(["stage", "rows"], [["validate", "1,234"], ["dedup", 7]], align="lr") == [
        "| stage | rows |",
        "|---|---:|",
        "| validate | 1,234 |",
        "| dedup | 7 |",
    ]
    assert markdown_table(["a", "b"], [])[1] == "|---|---|"


def test_pipes_in_cells_are_escaped() -> None:
    assert markdown_table(["model"], [["a|b"]])[2] == "| a\\|b |"


def test_mismatched_rows_and_align_are_errors() -> None:
    with pytest.raises(ValueError, match=r"table row 1: 1 cells for 2 columns"):
        markdown_table(["a", "b"], [["1", "2"], ["3"]])
    with pytest.raises(ValueError, match="align='lx'"):
        markdown_table(["a", "b"], [], align="lx")
