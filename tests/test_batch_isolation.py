"""One bad file never costs the others, in `extract` and in `load`: each fails alone, by name.

Real files on disk, the real CLI: broken UTF-16, lone surrogates, invalid UTF-8 bytes, a FIFO,
GBK-encoded file names, a file over --max-bytes, random text, `-o` onto an input, a bug that
strikes one file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from policykg.cli import main
from policykg.loaders import extract_file, file_on_disk, printable_path

POLICYKG = str(Path(sys.executable).with_name("policykg"))
SAMPLE = "一、重点任务\n（一）加快培育。最高200万元资助。（责任单位：市科技局、市财政局）\n（二）优化服务。（责任单位：市发改委）\n"
GBK_NAME = "政策文件.txt".encode("gbk")  # bytes that are not UTF-8, as a Windows archive unpacks them


def policykg(*argv: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """The installed command, its output as bytes (so invalid UTF-8 would show)."""
    return subprocess.run([POLICYKG, *argv], capture_output=True, timeout=timeout)


@pytest.fixture
def mixed(tmp_path: Path) -> dict[str, Path]:
    """Good files and every kind of bad one, side by side."""
    files = {}

    def put(key: str, name: str | bytes, data: bytes) -> None:
        path = Path(os.fsdecode(os.path.join(os.fsencode(tmp_path), os.fsencode(name))))
        path.write_bytes(data)
        files[key] = path

    put("good", "good.txt", SAMPLE.encode("utf-8"))
    # UTF-16 with a byte-order mark, a lone surrogate inside and its last byte cut off
    put("utf16", "broken-utf16.txt", ("\ufeff" + SAMPLE).encode("utf-16-le")[:40] + b"\x00\xd8" +
        SAMPLE.encode("utf-16-le")[40:-1])
    # a UTF-8 file with one invalid byte and the UTF-8 form of a lone surrogate
    put("bad_bytes", "bad-bytes.txt", SAMPLE.encode("utf-8")[:30] + b"\xff" + b"\xed\xa0\x80" +
        SAMPLE.encode("utf-8")[30:])
    put("gbk_name", GBK_NAME, SAMPLE.encode("utf-8"))
    put("random", "random.txt", "".join(chr(0x4E00 + (k * 7919) % 20000) for k in range(3000)).encode("utf-8"))
    put("empty", "empty.txt", b"")
    fifo = tmp_path / "fifo.txt"
    os.mkfifo(fifo)
    files["fifo"] = fifo
    return files


def test_extract_keeps_every_good_record_and_names_every_bad_file(mixed):
    result = policykg("extract", *map(str, mixed.values()))
    assert result.returncode == 0, result.stderr
    stdout = result.stdout.decode("utf-8")  # valid UTF-8, GBK name and all
    records = {r["file"]: r for r in map(json.loads, stdout.splitlines())}
    assert set(records) == {"good.txt", "broken-utf16.txt", "bad-bytes.txt", "政策文件.txt", "random.txt"}
    stderr = result.stderr.decode("utf-8")
    assert "Traceback" not in stderr
    assert "empty.txt: the file is empty" in stderr
    assert "fifo.txt: not a regular file (a FIFO)" in stderr
    assert "warning: random.txt: " in stderr and "not recognisably a policy document" in stderr
    # the damaged files still give their measures; what was lost is flagged where it was
    for name in ("broken-utf16.txt", "bad-bytes.txt"):
        record = records[name]
        assert len(record["measures"]) == 2, name
        lost = [q for q in record["quality"] if q["kind"] == "lost_characters"]
        assert lost and all(set(q["text"]) == {"\ufffd"} for q in lost), name
    assert records["bad-bytes.txt"]["encoding"] == "utf-8"
    # the GBK name: printable, and the record says how it was decoded
    gbk = records["政策文件.txt"]
    assert gbk["path"].endswith("政策文件.txt")
    assert {"kind": "file_name_encoding", "start": 0, "end": 0, "text": "gb18030"} in gbk["quality"]
    # random text: the extractor read no structure (the graph keeps that flag, a SHACL Warning lists it)
    # and the text has no mark of the genre (said on stderr too)
    assert [q["kind"] for q in records["random.txt"]["quality"]] == ["structure_unrecognised", "not_policy_text"]
    assert [q["kind"] for q in records["good.txt"]["quality"]] == []


def test_extract_offsets_of_a_damaged_file_point_into_its_decoded_text(mixed):
    from policykg.loaders import read_text

    for key in ("utf16", "bad_bytes"):
        record, text = extract_file(mixed[key]), read_text(mixed[key])
        for m in record.measures:
            for mention in m.mentions:
                assert text[mention.start:mention.end] == mention.name


def test_a_file_over_max_bytes_is_refused_by_name_and_the_limit_can_be_raised(tmp_path):
    big = tmp_path / "big.txt"
    big.write_text(SAMPLE * 50, encoding="utf-8")
    small = tmp_path / "small.txt"
    small.write_text(SAMPLE, encoding="utf-8")
    refused = policykg("extract", str(big), str(small), "--max-bytes", "1K")
    assert refused.returncode == 0
    assert [json.loads(x)["file"] for x in refused.stdout.decode().splitlines()] == ["small.txt"]
    assert f"big.txt: file of {big.stat().st_size:,} bytes is over the limit of 1,024 bytes (raise it with --max-bytes)" \
        in refused.stderr.decode()
    raised = policykg("extract", str(big), "--max-bytes", "1M")
    assert raised.returncode == 0 and json.loads(raised.stdout)["file"] == "big.txt"
    bad = policykg("extract", str(small), "--max-bytes", "lots")
    assert bad.returncode == 2 and b"not a size: 'lots'" in bad.stderr


def test_output_onto_an_input_is_refused_and_the_input_kept(tmp_path):
    text = tmp_path / "plan.txt"
    text.write_text(SAMPLE, encoding="utf-8")
    link = tmp_path / "same-file.jsonl"
    os.link(text, link)  # another name of the same file
    for output in (text, link):
        result = policykg("extract", str(text), "-o", str(output))
        assert result.returncode == 2
        assert b"is one of the input files" in result.stderr and output.name.encode() in result.stderr
        assert text.read_text(encoding="utf-8") == SAMPLE


_PLANTED_BUG = """
import policykg.loaders.batch as batch

real = batch.extract_file

def extract_file(path, **options):
    if str(path).endswith("bug.txt"):
        raise KeyError("planted")
    return real(path, **options)

batch.extract_file = extract_file
"""


@pytest.fixture
def planted_bug(tmp_path) -> dict:
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(_PLANTED_BUG, encoding="utf-8")
    return {**os.environ, "PYTHONPATH": str(site)}


def test_a_bug_on_one_file_names_it_and_the_others_still_come_out(tmp_path, planted_bug):
    for name in ("a.txt", "bug.txt", "c.txt"):
        (tmp_path / name).write_text(SAMPLE, encoding="utf-8")
    files = [str(tmp_path / n) for n in ("a.txt", "bug.txt", "c.txt")]
    result = subprocess.run([POLICYKG, "extract", *files], capture_output=True, text=True, env=planted_bug,
                            timeout=120)
    assert result.returncode == 2
    assert [json.loads(x)["file"] for x in result.stdout.splitlines()] == ["a.txt", "c.txt"]
    [line] = result.stderr.splitlines()
    assert line.startswith("policykg extract: internal error: KeyError: 'planted' while extracting ")
    assert "bug.txt" in line and "--debug" in line


def test_output_is_replaced_whole_or_not_at_all(tmp_path, planted_bug):
    (tmp_path / "a.txt").write_text(SAMPLE, encoding="utf-8")
    (tmp_path / "bug.txt").write_text(SAMPLE, encoding="utf-8")
    out = tmp_path / "records.jsonl"
    out.write_text("the previous run's records\n", encoding="utf-8")
    # --debug: the bug propagates half-way through the run
    result = subprocess.run([POLICYKG, "--debug", "extract", str(tmp_path / "a.txt"), str(tmp_path / "bug.txt"),
                             "-o", str(out)], capture_output=True, text=True, env=planted_bug, timeout=120)
    assert result.returncode != 0 and "KeyError" in result.stderr
    assert out.read_text(encoding="utf-8") == "the previous run's records\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "bug.txt", "records.jsonl", "site"]
    ok = policykg("extract", str(tmp_path / "a.txt"), "-o", str(out))
    assert ok.returncode == 0
    assert json.loads(out.read_text(encoding="utf-8"))["file"] == "a.txt"
    assert oct(out.stat().st_mode & 0o777) != oct(0o600)  # not the private mode of a temporary file


def test_gbk_names_round_trip_to_the_file_on_disk(tmp_path):
    raw = os.path.join(os.fsencode(tmp_path), GBK_NAME)
    with open(raw, "wb") as f:
        f.write(SAMPLE.encode("utf-8"))
    shown, how = printable_path(os.fsdecode(raw))
    assert shown == f"{tmp_path}/政策文件.txt" and how == "gb18030"
    assert os.fsencode(file_on_disk(shown)) == raw


def test_load_isolates_bad_files_and_never_waits_on_a_fifo(mixed, tmp_path):
    store = tmp_path / "store"
    result = policykg("load", *map(str, mixed.values()), "--store", str(store), "--max-bytes", "1M", timeout=600)
    stderr = result.stderr.decode("utf-8")
    assert result.returncode == 0, stderr
    assert result.stdout.decode().startswith("loaded 5 documents, 2 failed: ")
    assert "policykg load: error: fifo.txt: not a regular file (a FIFO)" in stderr
    assert "policykg load: error: empty.txt: the file is empty" in stderr
    assert "policykg load: warning: random.txt: " in stderr
    assert "Traceback" not in stderr


def test_load_reads_records_of_gbk_named_files_and_refuses_a_fifo_of_records(tmp_path):
    raw = os.path.join(os.fsencode(tmp_path), GBK_NAME)
    with open(raw, "wb") as f:
        f.write(SAMPLE.encode("utf-8"))
    records = tmp_path / "records.jsonl"
    assert main(["extract", os.fsdecode(raw), "-o", str(records)]) == 0
    fifo = tmp_path / "more.jsonl"
    os.mkfifo(fifo)
    result = policykg("load", str(records), str(fifo), "--memory", timeout=600)
    stderr = result.stderr.decode("utf-8")
    assert result.stdout.decode().startswith("loaded 1 documents, 1 failed: "), stderr
    assert "more.jsonl: cannot read records: not a regular file (a FIFO)" in stderr
