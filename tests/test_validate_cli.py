"""`policykg validate`: exit codes, inputs, formats and error messages."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from policykg.cli import main
from rdflib import Graph

HERE = Path(__file__).parent
GOOD = HERE / "validate_data" / "good.ttl"

PREFIXES = """
PREFIX pkg:  <https://w3id.org/policykg/ontology#>
PREFIX eli:  <http://data.europa.eu/eli/ontology#>
PREFIX ex:   <https://w3id.org/policykg/id/>
"""


def _write(tmp_path: Path, name: str, update: str | None = None) -> Path:
    g = Graph().parse(GOOD, format="turtle")
    if update:
        g.update(PREFIXES + update)
    out = tmp_path / name
    g.serialize(out, format="turtle")
    return out


@pytest.fixture
def violating(tmp_path):
    # a measure without owner (Violation) and a document without number (Warning)
    return _write(tmp_path, "bad.ttl", "DELETE WHERE { ?o a pkg:Obligation ; ?p ?v } ;"
                                       " DELETE WHERE { ex:m1 pkg:responsibleAgency ?a } ;"
                                       " DELETE WHERE { ex:m1 pkg:leadAgency ?b } ;"
                                       " DELETE WHERE { ex:notice eli:id_local ?n }")


@pytest.fixture
def warning_only(tmp_path):
    return _write(tmp_path, "warn.ttl", "DELETE WHERE { ex:notice eli:id_local ?n }")


def test_conforming_file_exits_0(capsys):
    assert main(["validate", str(GOOD)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("conforms")


def test_warnings_alone_exit_0(warning_only, capsys):
    assert main(["validate", str(warning_only)]) == 0
    out = capsys.readouterr().out
    assert "Warning" in out and "Document without document number" in out


def test_violation_exits_1_and_lists_the_measure_by_label(violating, capsys):
    assert main(["validate", str(violating)]) == 1
    out = capsys.readouterr().out
    assert "== Violation · Measure without a responsible agency (1)" in out
    assert "加强科技创新" in out and "二/（一）" in out and "《示例行动方案》" in out
    assert "001.txt[10:16] 「加强科技创新」" in out
    # Violations come before Warnings
    assert out.index("== Violation") < out.index("== Warning")


@pytest.mark.parametrize("fmt", ["turtle", "json", "csv", "html", "text"])
def test_every_format_to_a_file(violating, tmp_path, fmt, capsys):
    out = tmp_path / f"report.{fmt}"
    assert main(["validate", str(violating), "--format", fmt, "--output", str(out)]) == 1
    text = out.read_text(encoding="utf-8")
    assert "does not conform" in capsys.readouterr().err
    if fmt == "turtle":
        g = Graph().parse(data=text, format="turtle")
        q = "PREFIX sh: <http://www.w3.org/ns/shacl#> SELECT (COUNT(?r) AS ?n) WHERE { ?r a sh:ValidationResult }"
        assert int(next(iter(g.query(q)))[0]) == 2
    elif fmt == "json":
        doc = json.loads(text)
        assert doc["conforms"] is False and doc["counts"] == {"Violation": 1, "Warning": 1, "Info": 0}
        v = doc["results"][0]
        assert v["severity"] == "Violation" and v["label"] == "加强科技创新" and v["numbering"] == "二/（一）"
        assert v["sources"][0]["quote"] == "加强科技创新" and v["document"] == "示例行动方案"
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(text)))
        assert [r["severity"] for r in rows] == ["Violation", "Warning"]
        assert rows[0]["quote"] == "加强科技创新" and rows[0]["file"] == "001.txt" and rows[0]["start"] == "10"
    elif fmt == "html":
        assert text.startswith("<!DOCTYPE html>") and "加强科技创新" in text
        assert "<script src" not in text and "<link" not in text and "http://" not in text.split("<body>")[0]


def test_store_input(tmp_path, capsys):
    import pyoxigraph as ox

    store_dir = tmp_path / "store"
    store = ox.Store(str(store_dir))
    store.load(GOOD.read_bytes(), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode("https://example.org/g1"))
    store.flush()
    del store
    assert main(["validate", "--store", str(store_dir), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["conforms"] is True and doc["triples"] > 50


def test_missing_file_exits_2_naming_it(tmp_path, capsys):
    missing = tmp_path / "nope.ttl"
    assert main(["validate", str(missing)]) == 2
    err = capsys.readouterr().err
    assert str(missing) in err and "Traceback" not in err


def test_bad_turtle_exits_2_naming_it(tmp_path, capsys):
    bad = tmp_path / "broken.ttl"
    bad.write_text("@prefix ex: <http://ex/> .\nex:a ex:b .\n", encoding="utf-8")
    assert main(["validate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and "not valid turtle" in err


def test_bad_shapes_exit_2_naming_the_file(tmp_path, capsys):
    shapes = tmp_path / "shapes"
    shapes.mkdir()
    (shapes / "ok.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n@prefix ex: <http://ex/> .\n"
        "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .\n",
        encoding="utf-8")
    (shapes / "wrong.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n@prefix ex: <http://ex/> .\n"
        "ex:T a sh:NodeShape ; sh:targetClass <https://w3id.org/policykg/ontology#Measure> ;"
            " sh:property [ sh:path ex:p ; sh:minCount \"many\" ] .\n",
        encoding="utf-8")
    assert main(["validate", str(GOOD), "--shapes", str(shapes)]) == 2
    err = capsys.readouterr().err
    assert "wrong.ttl" in err and "Traceback" not in err
    (shapes / "wrong.ttl").write_text("this is not turtle", encoding="utf-8")
    assert main(["validate", str(GOOD), "--shapes", str(shapes)]) == 2
    assert "wrong.ttl" in capsys.readouterr().err


def test_empty_shapes_dir_and_missing_store_exit_2(tmp_path, capsys):
    assert main(["validate", str(GOOD), "--shapes", str(tmp_path)]) == 2
    assert "no shapes" in capsys.readouterr().err
    assert main(["validate", "--store", str(tmp_path / "none")]) == 2
    assert "no such store" in capsys.readouterr().err


def test_inference_rdfs_runs(capsys):
    # rdfs: leadAgency is a sub-property of responsibleAgency (pySHACL's inference costs ~7 s: turbo here)
    assert main(["validate", str(GOOD), "--inference", "rdfs", "--engine", "turbo", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["inference"] == "rdfs" and doc["engine"] == "turbo" and doc["conforms"] is True


def test_unknown_engine_package_missing_is_a_clear_error(monkeypatch, capsys):
    import builtins

    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "pyshacl_turbo":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    assert main(["validate", str(GOOD), "--engine", "turbo"]) == 2
    assert "pyshacl-turbo" in capsys.readouterr().err
