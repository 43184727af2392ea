"""Extract many files in one go: a record for each file that reads, an error for each that does not.

One bad file (empty, binary, not a policy text) must not stop the others: `ExtractionError`
names the file and goes to `on_error`; any other exception is a bug in the extractor and
propagates.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TextIO

from policykg.loaders.errors import ExtractionError
from policykg.loaders.extract import extract_file
from policykg.loaders.records import Record

RECORD_FORMATS = ("jsonl", "json")


def iter_records(
    files: Iterable[str | Path], on_error: Callable[[ExtractionError], None] | None = None
) -> Iterator[tuple[str | Path, Record]]:
    """Yield (file, record) for every file that reads. A file that does not is passed to
    `on_error` (then skipped), or raises when `on_error` is None."""
    for path in files:
        try:
            record = extract_file(path)
        except ExtractionError as exc:
            if on_error is None:
                raise
            on_error(exc)
            continue
        yield path, record


def write_records(
    files: Iterable[str | Path],
    out: TextIO,
    fmt: str = "jsonl",
    on_error: Callable[[ExtractionError], None] | None = None,
) -> int:
    """Write the records of `files` to `out`, one JSON object a line (`jsonl`, streamed as each
    file is read) or one JSON array (`json`). Returns how many records were written."""
    if fmt not in RECORD_FORMATS:
        raise ValueError(f"unknown record format {fmt!r} (one of {', '.join(RECORD_FORMATS)})")
    written = 0
    collected = []
    for _path, record in iter_records(files, on_error):
        written += 1
        if fmt == "jsonl":
            out.write(record.to_json() + "\n")
        else:
            collected.append(record.to_dict())
    if fmt == "json":
        json.dump(collected, out, ensure_ascii=False, indent=1)
        out.write("\n")
    return written
