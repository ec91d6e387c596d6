"""The one Markdown-table writer: evaluation tables (Table 1/2/3, choice, linguistics, task metrics,
Figure 3), the curation funnel and the benchmark reports.

Ground floor: imports nothing from songsage.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any


def _cell(value: Any) -> str:
    # A bare "|" would end the cell early and shift every column after it.
    return str(value).replace("|", "\\|")


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[Any]], align: str = "") -> list[str]:
    """Lines of a Markdown table: the header, the separator, then one line per row.

    ``rows``: cells already formatted (anything else goes through ``str``); ``|`` in a cell is escaped.
    ``align``: one letter per column, ``l`` (default, ``---``) or ``r`` (``---:``); '' = all left.
    Raises ValueError when ``align`` or a row does not have one entry per header column.
    """
    if align and (len(align) != len(header) or set(align) - {"l", "r"}):
        raise ValueError(f"align={align!r}: need one of 'l'/'r' per column ({len(header)} columns)")
    seps = ["---:" if a == "r" else "---" for a in (align or "l" * len(header))]
    lines = ["| " + " | ".join(map(_cell, header)) + " |", "|" + "".join(f"{s}|" for s in seps)]
    for i, row in enumerate(rows):
        cells = list(row)
        if len(cells) != len(header):
            raise ValueError(f"table row {i}: {len(cells)} cells for {len(header)} columns {list(header)}")
        lines.append("| " + " | ".join(map(_cell, cells)) + " |")
    return lines
