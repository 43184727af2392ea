"""Read Chinese policy texts into extraction records.

Public API (the graph and the CLI import these names from `policykg.loaders`, nothing deeper):

- `extract_file(path, max_bytes=None) -> Record`: the record of one file; raises
  `ExtractionError` naming the file when the input is not a readable policy document (not a
  regular file, over the size limit `DEFAULT_MAX_BYTES` unless `max_bytes` raises it, not
  text); any other exception is a bug.
- `extract_text(text, file=...) -> Record`: the same for an already decoded text.
- `read_source(path, max_bytes=None) -> SourceText` and `extract_source(source) -> Record`: the
  same in two steps, so one read gives the record and the text its offsets point into.
- `read_text(path)`: decode a file's bytes (encoding detected); `read_file_bytes(path,
  max_bytes)` the bytes of a regular file within the limit; `printable_path(path)` a path
  whose bytes are not UTF-8 (GBK names) as printable text and how it was decoded;
  `file_on_disk(path)` the file such a printable path names.
- The record types (`policykg.loaders.records`): `Record`, `Measure`, `Mention`, `Figure`,
  `Deadline`, `Plan`, `AnnouncedPlan`, `QualityFlag`, `Coverage` and the enums `Role`, `Kind`,
  `Modality`, `Comparator`, `FigureRole`, `Script`, `QualityKind`. `Record.to_dict()` /
  `Record.to_json()` give the JSON `policykg extract` writes, `Record.from_dict()` reads it
  back (raising `RecordError`); `record_schema()` is its JSON Schema, shipped as
  `data/record.schema.json` (`record_schema_path()`).

Helpers the graph shares with the loaders (one of each in the project): the
numeral parser `cn_to_int`, the numbering-path canonicaliser `canonical_path`,
the script converters `to_simplified` / `to_traditional` and the matching key
`simplified_key`, and the vocabulary tables `units()` and `places()`.
"""

from pathlib import Path

from policykg.loaders.errors import ExtractionError, RecordError
from policykg.loaders.extract import extract_file, extract_source, extract_text
from policykg.loaders.numerals import canonical_path, cn_to_int
from policykg.loaders.reading import (
    DEFAULT_MAX_BYTES,
    SourceText,
    file_on_disk,
    printable_path,
    read_file_bytes,
    read_source,
    read_text,
)
from policykg.loaders.records import (
    AnnouncedPlan,
    Comparator,
    Coverage,
    Deadline,
    Figure,
    FigureRole,
    Kind,
    Measure,
    Mention,
    Modality,
    Plan,
    QualityFlag,
    QualityKind,
    Record,
    Role,
    Script,
    record_schema,
)
from policykg.loaders.textnorm import simplified_key, to_simplified, to_traditional
from policykg.loaders.vocabulary import Place, Unit, places, units


def record_schema_path() -> Path:
    """The shipped JSON Schema of a record (`data/record.schema.json`, package data)."""
    return Path(__file__).with_name("data") / "record.schema.json"


__all__ = [
    "DEFAULT_MAX_BYTES",
    "SourceText",
    "extract_source",
    "file_on_disk",
    "printable_path",
    "read_file_bytes",
    "read_source",
    "AnnouncedPlan",
    "Place",
    "Unit",
    "canonical_path",
    "cn_to_int",
    "places",
    "simplified_key",
    "to_simplified",
    "to_traditional",
    "units",
    "Comparator",
    "Deadline",
    "ExtractionError",
    "Figure",
    "FigureRole",
    "Kind",
    "Measure",
    "Mention",
    "Modality",
    "Plan",
    "Coverage",
    "QualityFlag",
    "QualityKind",
    "Record",
    "RecordError",
    "Role",
    "Script",
    "extract_file",
    "extract_text",
    "read_text",
    "record_schema",
    "record_schema_path",
]
