"""Read Chinese policy texts into extraction records.

Public API:

- `extract_file(path)`: one record (a dict in the shape of
  `docs/SCHEMA.md` plus the keys in `docs/records.md`);
  raises `ExtractionError` naming the file on bad input.
- `extract_text(text, file=...)`: the same for an already decoded text.
- `read_text(path)`: decode a file's bytes (encoding detected).

Helpers the graph shares with the loaders (one of each in the project): the
numeral parser `cn_to_int`, the numbering-path canonicaliser `canonical_path`,
the script converters `to_simplified` / `to_traditional` and the matching key
`simplified_key`, and the vocabulary tables `units()` and `places()`.
"""

from policykg.loaders.errors import ExtractionError
from policykg.loaders.extract import extract_file, extract_text
from policykg.loaders.numerals import canonical_path, cn_to_int
from policykg.loaders.reading import read_text
from policykg.loaders.textnorm import simplified_key, to_simplified, to_traditional
from policykg.loaders.vocabulary import Place, Unit, places, units

__all__ = ["ExtractionError", "extract_file", "extract_text", "read_text",
           "canonical_path", "cn_to_int", "simplified_key", "to_simplified", "to_traditional",
           "Place", "Unit", "places", "units"]
