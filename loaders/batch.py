"""Extract many files in one go: a record for each file that reads, an error for each that does not.

One bad file never stops the others. `ExtractionError` (bad input: empty, binary, not a regular
file, over the size limit) names the file and goes to `on_error`. Any other exception is a bug
of ours: with `isolate_bugs` it is wrapped in `InternalError` naming the file and goes to
`on_error` too, so the other files still come out; without, it propagates (the CLI's --debug).
A text that reads but is not recognisably a policy document goes to `on_warning` (its record is
flagged `not_policy_text`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TextIO

from policykg.loaders.errors import ExtractionError
from policykg.loaders.extract import extract_file
from policykg.loaders.reading import printable_path
from policykg.loaders.records import QualityKind, Record

RECORD_FORMATS = ("jsonl", "json")


class InternalError(ExtractionError):
    """A bug of ours struck while one file was extracted (`cause` is the exception)."""

    def __init__(self, file: str, cause: BaseException):
        self.cause = cause
        self.file = file
        self.offset = None
        what = f"{type(cause).__name__}: {cause}" if str(cause) else type(cause).__name__
        Exception.__init__(self, f"{what} while extracting {file}")


def not_policy_warning(record: Record) -> str | None:
    """The warning for a record flagged `not_policy_text` (None for the others)."""
    if any(q.kind == QualityKind.NOT_POLICY_TEXT for q in record.quality):
        return (f"{record.file}: no measure, no numbered item, no title, no responsibility clause: not recognisably a policy document "
                f"(the record is flagged {QualityKind.NOT_POLICY_TEXT.value})")
    return None


def iter_records(
    files: Iterable[str | Path],
    on_error: Callable[[ExtractionError], None] | None = None,
    max_bytes: int | None = None,
    isolate_bugs: bool = True,
    on_warning: Callable[[str], None] | None = None,
) -> Iterator[tuple[str | Path, Record]]:
    """Yield (file, record) for every file that reads. A file that does not is passed to
    `on_error` (then skipped), or raises when `on_error` is None. `max_bytes`: the size limit
    of one file (None: `reading.DEFAULT_MAX_BYTES`)."""
    options = {} if max_bytes is None else {"max_bytes": max_bytes}
    for path in files:
        try:
            record = extract_file(path, **options)
        except ExtractionError as exc:
            if on_error is None:
                raise
            on_error(exc)
            continue
        except Exception as exc:  # noqa: BLE001 - a bug on one file must not cost the others
            if on_error is None or not isolate_bugs:
                raise
            on_error(InternalError(printable_path(path)[0], exc))
            continue
        warning = not_policy_warning(record)
        if warning and on_warning is not None:
            on_warning(warning)
        yield path, record


def write_records(
    files: Iterable[str | Path],
    out: TextIO,
    fmt: str = "jsonl",
    on_error: Callable[[ExtractionError], None] | None = None,
    max_bytes: int | None = None,
    isolate_bugs: bool = True,
    on_warning: Callable[[str], None] | None = None,
) -> int:
    """Write the records of `files` to `out`, one JSON object a line (`jsonl`, streamed as each
    file is read) or one JSON array (`json`). Returns how many records were written."""
    if fmt not in RECORD_FORMATS:
        raise ValueError(f"unknown record format {fmt!r} (one of {', '.join(RECORD_FORMATS)})")
    written = 0
    collected = []
    for _path, record in iter_records(files, on_error, max_bytes, isolate_bugs, on_warning):
        written += 1
        if fmt == "jsonl":
            out.write(record.to_json() + "\n")
        else:
            collected.append(record.to_dict())
    if fmt == "json":
        json.dump(collected, out, ensure_ascii=False, indent=1)
        out.write("\n")
    return written
