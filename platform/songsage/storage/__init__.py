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
    read_text,
    read_text_if_exists,
    remove_tree,
    write_bytes,
    write_json,
    write_parquet_file,
    write_text,
    write_text_atomic,
)
from songsage.storage.sync import (
    local_copy,
    make_dirs,
    node_cache_root,
    scratch_dir,
    staged_dir,
    tree_bytes,
    upload_dir,
)
from songsage.storage.tables import as_list, read_jsonl_records, read_table

__all__ = [
    "as_list",
    "exists",
    "file_digest",
    "filesystem",
    "fingerprint",
    "list_files",
    "local_copy",
    "make_dirs",
    "node_cache_root",
    "read_json",
    "read_jsonl_records",
    "read_table",
    "read_text",
    "read_text_if_exists",
    "remove_tree",
    "scratch_dir",
    "staged_dir",
    "tree_bytes",
    "upload_dir",
    "write_bytes",
    "write_json",
    "write_parquet_file",
    "write_text",
    "write_text_atomic",
]
