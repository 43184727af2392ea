"""Encodings, scripts, glosses, lost characters and bad input."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from policykg.loaders import ExtractionError, extract_file, extract_text, read_text
from policykg.loaders.reading import decode_bytes, read_source

POLICYKG = str(Path(sys.executable).with_name("policykg"))
SAMPLE = "一、重点任务\r\n（一）加快培育。最高200万元资助。（责任单位：市科技局、市财政局）\r\n"


def test_encodings_are_detected_and_offsets_count_code_points(tmp_path):
    for encoding, data in [
        ("utf-8", SAMPLE.encode("utf-8")),
        ("utf-8-sig", b"\xef\xbb\xbf" + SAMPLE.encode("utf-8")),
        ("gb18030", SAMPLE.encode("gb18030")),
        ("big5", SAMPLE.replace("财", "財").replace("资", "資").replace("责", "責").replace("单", "單").replace("位", "位")
         .replace("务", "務").replace("点", "點").replace("（", "(").replace("）", ")").encode("big5", errors="ignore")),
    ]:
        path = tmp_path / f"{encoding}.txt"
        path.write_bytes(data)
        record = extract_file(path)
        text = read_text(path)
        assert "\r\n" in text  # line ends are kept as in the file
        [m] = record.measures
        assert len(m.agencies) == 2, encoding
        fig = m.figures[0]
        assert text[fig.start:fig.end] == fig.text
        assert fig.value == 2000000


def test_traditional_script_with_pinyin_glosses_and_lost_characters():
    text = ("一、工作目標\n（一）規(guī)??總量進一步提升。新增企業10萬家。\n二、工作任務\n"
            "（一）1.打造公平競爭市場環(huán)境。推動落實。(責(zé)任單位:市發(fā)改委、市市場監(jiān)管局)\n")
    record = extract_text(text)
    assert record.script == "zh-Hant"
    assert any(q.kind == "lost_characters" for q in record.quality)
    m = record.measures[-1]
    assert m.agencies == ["市發(fā)改委", "市市場監(jiān)管局"]
    assert [x.key for x in m.mentions] == ["市发改委", "市市场监管局"]


def test_bad_files_name_themselves_and_the_rest_still_come_out(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text(SAMPLE, encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "image.txt"
    binary.write_bytes(bytes(range(256)) * 20)
    english = tmp_path / "english.txt"
    english.write_text("This is not a policy document.", encoding="utf-8")
    result = subprocess.run([POLICYKG, "extract", str(empty), str(binary), str(good), str(english)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert [json.loads(x)["file"] for x in lines] == ["good.txt"]
    for name in ("empty.txt", "image.txt", "english.txt"):
        assert name in result.stderr
    assert "Traceback" not in result.stderr
    only_bad = subprocess.run([POLICYKG, "extract", str(empty)], capture_output=True, text=True, timeout=60)
    assert only_bad.returncode == 1
    assert "empty.txt" in only_bad.stderr


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("一二三、（）()1234567890.。，,：:；;责任单位市科技局牵头负责等万亿元%以上以下最高不低于\n 〔〕|各区人民政府")),
               max_size=400))
def test_extract_never_raises_anything_but_extraction_error(text):
    """Any text gives a record whose every offset points at what it quotes, or an ExtractionError that
    says why; never another exception."""
    try:
        record = extract_text(text)
    except ExtractionError as e:
        assert ": " in str(e)  # "<source>: <why>"
        return
    assert record.length == len(text)
    for m in record.measures:
        assert 0 <= m.start <= m.title_start <= m.title_end <= m.end <= len(text)
        assert text[m.title_start:m.title_end].strip().startswith(m.title[:1])
        for f in m.figures:
            assert text[f.start:f.end] == f.text
        for x in m.mentions:
            assert 0 <= x.start < x.end <= len(text)
            if not x.restored:
                assert text[x.start:x.end] == x.name


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300))
def test_extract_never_raises_on_arbitrary_unicode(text):
    try:
        record = extract_text(text)
    except ExtractionError as e:
        assert str(e)  # a reason, for the user
        return
    assert record.length == len(text)
    for m in record.measures:
        assert text[m.title_start:m.title_end].strip() and 0 <= m.start < m.end <= len(text)


def test_a_few_invalid_bytes_are_replaced_but_a_gbk_file_stays_gbk(tmp_path):
    from policykg.loaders.reading import decode_bytes

    utf8 = SAMPLE.encode("utf-8")
    text, encoding = decode_bytes(utf8[:20] + b"\xff\xfe" + utf8[20:])
    assert encoding == "utf-8" and text.count("\ufffd") == 2
    assert text.replace("\ufffd", "") == SAMPLE  # nothing else lost
    # a GB18030 text breaks UTF-8 at nearly every character: detected, not "repaired"
    text, encoding = decode_bytes((SAMPLE * 3).encode("gb18030"))
    assert encoding == "gb18030" and text == SAMPLE * 3
    # UTF-16 with a byte-order mark, cut in the middle of a character
    text, encoding = decode_bytes(("\ufeff" + SAMPLE).encode("utf-16-le")[:-1])
    assert encoding == "utf-16" and text.startswith(SAMPLE[:-1])


def test_only_regular_files_are_read(tmp_path):
    import os

    from policykg.loaders import read_file_bytes

    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)  # nobody writes to it: reading would wait forever
    for path, kind in [(fifo, "a FIFO"), (tmp_path, "a directory"), (Path("/dev/zero"), "a character device")]:
        try:
            extract_file(path)
        except ExtractionError as exc:
            assert str(exc) == f"{path.name}: not a regular file ({kind}): only regular files are read"
        else:
            raise AssertionError(f"{path} was read")
    plain = tmp_path / "plain.txt"
    plain.write_bytes(b"x" * 10)
    assert read_file_bytes(plain, max_bytes=10) == b"x" * 10
    try:
        read_file_bytes(plain, max_bytes=9)
    except ExtractionError as exc:
        assert str(exc) == "plain.txt: file of 10 bytes is over the limit of 9 bytes (raise it with --max-bytes)"
    else:
        raise AssertionError("the limit was not applied")


# ---- decoding: every branch of loaders/reading.py, on bytes made for it


def test_utf16_with_either_byte_order_mark(tmp_path):
    for name, data in [("le.txt", SAMPLE.encode("utf-16")), ("be.txt", b"\xfe\xff" + SAMPLE.encode("utf-16-be"))]:
        path = tmp_path / name
        path.write_bytes(data)
        src = read_source(path)
        assert (src.text, src.encoding) == (SAMPLE, "utf-16")
        assert src.sha256 == hashlib.sha256(data).hexdigest()
        [m] = extract_file(path).measures
        assert m.agencies == ["市科技局", "市财政局"]


def test_gbk_bytes_are_read_as_gb18030_its_superset():
    text, encoding = decode_bytes(SAMPLE.encode("gbk"))
    assert (text, encoding) == (SAMPLE, "gb18030")


def test_what_is_not_text_is_refused_with_a_reason(tmp_path):
    cases = {
        "blank.txt": (b"  \r\n\t ", "the file is empty"),
        "nul.txt": (SAMPLE.encode("utf-8")[:20] + b"\x00\x00" + SAMPLE.encode("utf-8"), "binary content"),
        "control.txt": (("一、任务\x01\x02\x03\x04" * 40).encode("utf-8"), "control characters"),
        "private-use.txt": (("\ue000\ue001" * 50 + SAMPLE).encode("utf-8"), "control characters"),
        "no-encoding.txt": (bytes([0x81, 0x30, 0x81]) * 3 + b"\xff\xff\xff", "no Chinese text encoding fits"),
    }
    for name, (data, reason) in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(ExtractionError, match=reason) as err:
            read_source(path)
        assert str(err.value).startswith(name + ": ")


def test_a_few_control_characters_do_not_make_a_file_binary(tmp_path):
    path = tmp_path / "formfeed.txt"
    path.write_text(SAMPLE + "\f" + SAMPLE.replace("（一）", "（二）"), encoding="utf-8")
    assert len(extract_file(path).measures) == 2


def test_an_unreadable_path_names_itself(tmp_path):
    with pytest.raises(ExtractionError, match=r"^missing\.txt: cannot read: No such file"):
        read_source(tmp_path / "missing.txt")
    (tmp_path / "adir").mkdir()
    with pytest.raises(ExtractionError, match=r"^adir: not a regular file \(a directory\): only regular files are read$"):
        read_source(tmp_path / "adir")
