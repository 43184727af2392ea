"""The IRI scheme (README "The knowledge graph"): what each IRI looks like, written out from the scheme
(SHA-1 hex prefixes of the UTF-8 key; ASCII segments as they are), and the numbering path minted for a
record that carries no `path_key` (records written by hand or by older versions)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from policykg.graph.build import build_document
from policykg.graph.iris import Minter, file_slug, h, path_slug
from policykg.graph.namespaces import PKG
from policykg.loaders import Record
from rdflib.namespace import RDF

FIX = Path(__file__).parent / "fixtures"
BASE = "https://w3id.org/policykg/id/"


def sha1(key: str, n: int) -> str:
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:n]


def test_h_is_a_prefix_of_sha1_over_utf8():
    assert h("无锡市") == sha1("无锡市", 12) and len(h("无锡市")) == 12
    assert h("无锡市", 8) == sha1("无锡市", 8)
    assert h("無錫市") != h("无锡市")  # keys are made equal before hashing, not by it


@pytest.mark.parametrize(("name", "slug"), [
    ("001_2c9e03d5df35330e.txt", "001_2c9e03d5df35330e"),
    ("report.TXT", "report"),
    ("plan-v1.2", "plan-v1.2"),
    ("无锡方案.txt", "f-" + sha1("无锡方案.txt", 12)),
    ("with space.txt", "f-" + sha1("with space.txt", 12)),
    (".txt", "f-" + sha1(".txt", 12)),
    ("a" * 81 + ".txt", "f-" + sha1("a" * 81 + ".txt", 12)),
    ("a" * 80 + ".txt", "a" * 80),
])
def test_file_slug(name, slug):
    assert file_slug(name) == slug


@pytest.mark.parametrize(("key", "slug"), [
    ("2/(1)/1", "2-p1-1"),
    ("3", "3"),
    ("(12)", "p12"),
    ("part1/2", "x" + sha1("part1", 8) + "-2"),
    ("二/(一)", "x" + sha1("二", 8) + "-x" + sha1("(一)", 8)),
    ("", "x" + sha1("", 8)),  # split("/") never gives no segment: the "root" fallback is unreachable
])
def test_path_slug(key, slug):
    assert path_slug(key) == slug


def test_every_kind_of_iri():
    m = Minter(BASE)
    work = m.work("wuxi", "p", "无锡市推进民营企业科技自立自强行动方案")
    assert work == BASE + "work/wuxi/p-" + sha1("无锡市推进民营企业科技自立自强行动方案", 12)
    assert m.jurisdiction("wuxi") == BASE + "jurisdiction/wuxi"
    assert Minter.expression(work, "zh-Hans") == work + "/zh-Hans"
    assert Minter.expression(work, "zh-Hant", "0123456789abcdef") == work + "/zh-Hant/partial-0123456789ab"
    measure = Minter.measure(work, "2/(1)/1")
    assert measure == work + "/measure/2-p1-1"
    assert Minter.obligation(measure, "lead", BASE + "agency/x") == (
        measure + "/obligation/lead-" + sha1(BASE + "agency/x", 10))
    assert Minter.figure(measure, "200万元|1") == measure + "/figure/" + sha1("200万元|1", 10)
    assert Minter.deadline(measure, "2025") == measure + "/deadline/" + sha1("2025", 10)
    assert m.file("ab" * 32) == BASE + "file/" + "ab" * 8
    assert Minter.selection(BASE + "file/x", 3, 9) == BASE + "file/x/text/3-9"
    assert m.agency("wuxi", "science-technology") == BASE + "agency/wuxi/science-technology"
    assert m.collective("wuxi", "各区人民政府") == BASE + "collective/wuxi/h-" + sha1("各区人民政府", 12)
    assert m.function("finance") == BASE + "function/finance"
    assert m.function_scheme() == BASE + "function"
    assert m.unit("家") == BASE + "unit/" + sha1("家", 10)
    # the static ones answer the same through a minter as through the class (build.py uses both)
    assert m.expression(work, "zh-Hans") == Minter.expression(work, "zh-Hans")
    assert m.measure(work, "2/(1)/1") == measure
    assert m.obligation(measure, "co", "a") == Minter.obligation(measure, "co", "a")
    assert m.figure(measure, "k") == Minter.figure(measure, "k")
    assert m.deadline(measure, "2025") == Minter.deadline(measure, "2025")
    assert m.selection("f", 1, 2) == "f/text/1-2"


def test_a_record_without_path_keys_gets_them_from_its_printed_paths():
    """The canonicaliser mints what the loaders would have written: 样例市…方案/二/（一） -> 2/(1), the
    bundle's plan title dropped; so the measure IRIs equal those of the record that has its keys."""
    line = (FIX / "sample.jsonl").read_text(encoding="utf-8").splitlines()[0]
    with_keys = json.loads(line)
    without = json.loads(line)
    for m in without["measures"]:
        m["path_key"] = ""
    text = (FIX / with_keys["file"]).read_text(encoding="utf-8")
    g_keys = build_document(Record.from_dict(with_keys), text)
    g_none = build_document(Record.from_dict(without), text)
    measures = sorted(str(x) for x in g_none.subjects(RDF.type, PKG.Measure))
    assert measures == sorted(str(x) for x in g_keys.subjects(RDF.type, PKG.Measure))
    keys = sorted(str(k) for k in g_none.objects(None, PKG.pathKey))
    assert keys == sorted(m["path_key"] for m in with_keys["measures"])
    assert "2/(1)" in keys and any(x.endswith("/measure/2-p1") for x in measures)
