"""Coverage-guided fuzzing of the loaders with atheris (libFuzzer), the long run beside the
bounded hypothesis tests of tests/test_fuzz_loaders.py.

    pip install atheris            # optional: not a dependency of policykg
    python bench/fuzz_atheris.py [-max_total_time=600] [-max_len=4096] [NEW_INPUTS_DIR SEED_DIR …]

Each input is bytes: decoded as a file would be (`decode_bytes`: UTF-8, GB18030, Big5, UTF-16,
with replacement), then extracted. It fails on any exception but ExtractionError, on an offset
that does not slice to its quote, on a record that is not valid UTF-8 JSON, and on extraction
work (lines of policykg.loaders executed) over WORK_PER_CHARACTER per character of input, the
mark of a quadratic spot. Seeds: the corpus texts, so mutations start from real documents.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

WORK_PER_CHARACTER = 400  # generous: real documents run at 15-50 loader lines per character


def test_one_input(data: bytes) -> None:
    from policykg.loaders import ExtractionError, extract_text
    from policykg.loaders.reading import decode_bytes
    from test_fuzz_loaders import assert_offsets_slice_to_quotes, loader_lines

    try:
        text, _encoding = decode_bytes(data, "fuzz.txt")
    except ExtractionError:
        return
    result = {}

    def run() -> None:
        try:
            result["record"] = extract_text(text, "fuzz.txt")
        except ExtractionError:
            pass

    work = loader_lines(run) if len(text) > 200 else (run() or 0)
    if work and work > WORK_PER_CHARACTER * len(text) + 20000:
        raise AssertionError(f"{work} loader lines for {len(text)} characters")
    record = result.get("record")
    if record is not None:
        assert_offsets_slice_to_quotes(record, text)
        record.to_json().encode("utf-8")


def main() -> None:
    try:
        import atheris
    except ImportError:
        sys.exit("atheris is not installed: pip install atheris (an optional, longer fuzzing run)")
    seeds = [a for a in sys.argv[1:] if not a.startswith("-")]
    if not seeds:
        # libFuzzer writes the inputs it finds into the first directory: a fresh one, never corpus/
        import tempfile

        found = tempfile.mkdtemp(prefix="policykg-fuzz-")
        print(f"new inputs go to {found}; seeds from corpus/", file=sys.stderr)
        sys.argv += [found, str(ROOT / "corpus")]
    from policykg.loaders import extract_text

    extract_text("一、预热\n（一）加载词表。")  # vocabularies load before fuzzing starts
    atheris.instrument_all()
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
