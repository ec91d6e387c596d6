"""Storage: the ground floor every stage reads and writes through (local paths and URIs alike).

Imports nothing from the stages (data, train, tune, eval, serve, models): they all import it.
"""

from songsage.storage.files import (
    exists,
    file_digest,
    filesystem,
    fingerprint,
    list_files,
    read_json,
    remove_tree,
    write_json,
    write_parquet_file,
    write_text,
)
from songsage.storage.tables import as_list, read_jsonl_records, read_table

__all__ = [
    "as_list",
    "exists",
    "file_digest",
    "filesystem",
    "fingerprint",
    "list_files",
    "read_json",
    "read_jsonl_records",
    "read_table",
    "remove_tree",
    "write_json",
    "write_parquet_file",
    "write_text",
]
