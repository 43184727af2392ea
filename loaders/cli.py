"""`policykg extract`: records for each file; errors name the file and the rest go on."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from typing import TextIO

from policykg.loaders.errors import ExtractionError
from policykg.loaders.extract import extract_file


def iter_records(files: Iterable[str], errors: TextIO = sys.stderr):
    """Yield (file, record) for every file that reads; report the others on `errors`."""
    for path in files:
        try:
            yield path, extract_file(path)
        except ExtractionError as exc:
            print(f"policykg extract: {exc}", file=errors)


def run_extract(files: list[str], fmt: str = "jsonl", output: str | None = None) -> int:
    out = open(output, "w", encoding="utf-8") if output else sys.stdout
    ok = 0
    try:
        records = []
        for _, record in iter_records(files):
            ok += 1
            if fmt == "jsonl":
                out.write(record.to_json() + "\n")
            else:
                records.append(record.to_dict())
        if fmt == "json":
            json.dump(records, out, ensure_ascii=False, indent=1)
            out.write("\n")
    finally:
        if output:
            out.close()
    return 0 if ok or not files else 1
