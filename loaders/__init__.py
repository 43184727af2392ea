"""Read Chinese policy texts into extraction records.

Public API:

- `extract_file(path)`: one record (a dict in the shape of
  `docs/SCHEMA.md` plus the keys in `docs/records.md`);
  raises `ExtractionError` naming the file on bad input.
- `extract_text(text, file=...)`: the same for an already decoded text.
- `read_text(path)`: decode a file's bytes (encoding detected).
"""

from policykg.loaders.errors import ExtractionError
from policykg.loaders.extract import extract_file, extract_text
from policykg.loaders.reading import read_text

__all__ = ["ExtractionError", "extract_file", "extract_text", "read_text"]
