"""`policykg load`, `dump` and `query` through the CLI entry point, on real texts."""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import CORPUS
from policykg.cli import main
from policykg.cli.common import ProgressBar
from policykg.graph.load import load_paths
from policykg.graph.namespaces import document_graph, meta_graph
from policykg.graph.store import open_store
from rdflib import Dataset, Graph

FIX = Path(__file__).parent / "fixtures"
SUMMARY = re.compile(
    r"^loaded (\d+) documents(?:, (\d+) failed)?: (\d+) measures, (\d+) agencies, (\d+) obligations, "
    r"(\d+) figures, (\d+) triples \((\d+) inferred\) in [\d.]+ s \(inference [\d.]+ s\)$"
)


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def snapshot(path) -> tuple[int, set]:
    """(quad count, set of quads) outside the metadata graph (which holds the load version)."""
    store = ox.Store.read_only(str(path))
    meta = ox.NamedNode(meta_graph())
    quads = {q for q in store if q.graph_name != meta}
    del store
    return len(quads), quads


def test_loading_twice_gives_the_same_graph(tmp_path, capsys):
    store = tmp_path / "store"
    code, out, err = run(capsys, "load", str(CORPUS), "--store", str(store), "--no-progress")
    assert code == 0, err
    m = SUMMARY.match(out.strip())
    assert m, out
    assert int(m.group(1)) == 5 and int(m.group(3)) > 150 and int(m.group(5)) > 400
    first = snapshot(store)
    code, out2, err = run(capsys, "load", *sorted(str(p) for p in CORPUS.glob("*.txt")), "--store", str(store),
                          "--no-progress")
    assert code == 0, err
    second = snapshot(store)
    assert first[0] == second[0]
    assert first[1] == second[1]  # same triples, same IRIs, in the same graphs
    assert all(not isinstance(t, ox.BlankNode) for q in first[1] if q.graph_name.value != "https://w3id.org/policykg/ontology"
               for t in (q.subject, q.object))
    assert out2.split(" in ")[0] == out.split(" in ")[0]  # same counts
    ro = open_store(store, read_only=True)
    assert ro.load_version() > 5  # raised by every replaced graph


def test_a_broken_file_does_not_stop_the_others_and_leaves_its_graph(tmp_path, capsys):
    texts = tmp_path / "texts"
    texts.mkdir()
    shutil.copy(CORPUS / "002_cf45ec531dcc3548.txt", texts / "a.txt")
    shutil.copy(CORPUS / "004_9e585d2b347181be.txt", texts / "victim.txt")
    store = tmp_path / "store"
    code, _out, err = run(capsys, "load", str(texts), "--store", str(store), "--no-progress")
    assert code == 0, err
    before = {q for q in snapshot(store)[1] if q.graph_name.value == document_graph("victim.txt")}
    assert before
    # the same file goes bad (binary), a new file is empty, another is fine
    (texts / "victim.txt").write_bytes(b"\x00\x01\x02PK\x03\x04" + bytes(range(256)) * 20)
    (texts / "empty.txt").write_bytes(b"")
    shutil.copy(CORPUS / "001_2c9e03d5df35330e.txt", texts / "b.txt")
    code, out, err = run(capsys, "load", str(texts), "--store", str(store), "--no-progress")
    assert code == 0
    assert "victim.txt" in err and "empty.txt" in err
    assert "policykg load: error:" in err
    assert SUMMARY.match(out.strip()).group(1) == "2" and SUMMARY.match(out.strip()).group(2) == "2"
    quads = snapshot(store)[1]
    graphs = {q.graph_name.value for q in quads}
    assert document_graph("b.txt") in graphs and document_graph("a.txt") in graphs
    assert document_graph("empty.txt") not in graphs
    after = {q for q in quads if q.graph_name.value == document_graph("victim.txt")}
    assert after == before  # unchanged: neither dropped nor half-written


def test_all_failed_exits_1(tmp_path, capsys):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"")
    code, out, err = run(capsys, "load", str(bad), str(tmp_path / "missing.txt"), "--store", str(tmp_path / "s"))
    assert code == 1
    assert "bad.txt" in err and "missing.txt" in err
    assert out.startswith("loaded 0 documents, 2 failed")


def test_records_load_like_texts(tmp_path, capsys):
    files = [CORPUS / "002_cf45ec531dcc3548.txt", CORPUS / "004_9e585d2b347181be.txt"]
    jsonl = tmp_path / "records.jsonl"
    code, _, err = run(capsys, "extract", *map(str, files), "-o", str(jsonl))
    assert code == 0, err
    a, b = open_store(memory=True), open_store(memory=True)
    sa = load_paths(files, a, errors=lambda m: None)
    sb = load_paths([jsonl], b, errors=lambda m: None)
    assert sa.documents == sb.documents == 2
    skip = {ox.NamedNode(meta_graph()), ox.NamedNode("https://w3id.org/policykg/ontology")}  # version, blank nodes
    assert {q for q in a.oxigraph if q.graph_name not in skip} == {q for q in b.oxigraph if q.graph_name not in skip}


def test_a_record_whose_file_changed_is_refused(tmp_path, capsys):
    shutil.copy(FIX / "sample_hans.txt", tmp_path / "sample_hans.txt")
    shutil.copy(FIX / "sample_hant.txt", tmp_path / "sample_hant.txt")
    lines = (FIX / "sample.jsonl").read_text(encoding="utf-8")
    (tmp_path / "r.jsonl").write_text(lines, encoding="utf-8")
    with open(tmp_path / "sample_hant.txt", "a", encoding="utf-8") as f:
        f.write("多一行\n")
    code, out, err = run(capsys, "load", str(tmp_path / "r.jsonl"), "--memory")
    assert code == 0 and "sample_hant.txt" in err and "changed" in err
    assert out.startswith("loaded 1 documents, 1 failed")


def test_progress_bar_draws_and_clears():
    buf = io.StringIO()
    bar = ProgressBar(buf, width=10)
    bar(1, 4, "000.txt")
    assert "[##--------] 1/4 000.txt" in buf.getvalue()
    bar(4, 4, "")
    assert buf.getvalue().endswith("\r")


# ---------------------------------------------------------------- query and dump on the corpus store


Q = "SELECT DISTINCT ?m WHERE { ?m pkg:responsibleAgency ?a } ORDER BY ?m LIMIT 3"


@pytest.mark.parametrize("fmt", ["table", "json", "csv", "tsv", "xml"])
def test_query_formats(corpus_store, capsys, fmt):
    code, out, err = run(capsys, "query", Q, "--store", corpus_store, "--format", fmt)
    assert code == 0, err
    if fmt == "json":
        data = json.loads(out)
        assert data["head"]["vars"] == ["m"] and len(data["results"]["bindings"]) == 3
    elif fmt == "csv":
        assert out.splitlines()[0] == "m" and len(out.splitlines()) == 4
    elif fmt == "tsv":
        assert out.splitlines()[0] == "?m" and out.splitlines()[1].startswith("<https://")
    elif fmt == "xml":
        assert "<sparql" in out and out.count("<result>") == 3
    else:
        assert out.splitlines()[0].strip() == "m" and out.strip().endswith("(3 rows)")


def test_query_from_file_ask_and_construct(corpus_store, capsys, tmp_path):
    rq = tmp_path / "q.rq"
    rq.write_text("ASK { ?a pkg:owns ?m }", encoding="utf-8")
    assert run(capsys, "query", f"@{rq}", "--store", corpus_store)[1].strip() == "true"
    code, out, _ = run(capsys, "query", "CONSTRUCT { ?a pkg:owns ?m } WHERE { SELECT DISTINCT ?a ?m { ?a pkg:owns ?m } LIMIT 5 }",
                       "--store", corpus_store, "--format", "turtle")
    assert code == 0 and len(Graph().parse(data=out, format="turtle")) == 5
    code, _, err = run(capsys, "query", "SELECT * WHERE {", "--store", corpus_store)
    assert code == 2 and "error" in err


def test_query_on_a_missing_store_says_so(tmp_path, capsys):
    code, _, err = run(capsys, "query", Q, "--store", str(tmp_path / "nothing"))
    assert code == 2 and "no store" in err


@pytest.mark.parametrize("fmt,rdflib_fmt", [("nquads", "nquads"), ("trig", "trig"), ("turtle", "turtle")])
def test_dump(corpus_store, capsys, tmp_path, fmt, rdflib_fmt):
    out = tmp_path / f"dump.{fmt}"
    code, _, err = run(capsys, "dump", "--store", corpus_store, "--format", fmt, "-o", str(out))
    assert code == 0, err
    total = len(ox.Store.read_only(corpus_store))
    if fmt == "turtle":
        assert 0 < len(Graph().parse(out, format=rdflib_fmt)) <= total
    else:
        ds = Dataset()
        ds.parse(out, format=rdflib_fmt)
        assert sum(len(g) for g in ds.graphs()) == total


# ---------------------------------------------------------------- one text under two names; kill -9


def test_the_same_text_under_two_names_is_loaded_once(tmp_path, capsys):
    texts = tmp_path / "texts"
    texts.mkdir()
    shutil.copy(CORPUS / "002_cf45ec531dcc3548.txt", texts / "a.txt")
    shutil.copy(CORPUS / "002_cf45ec531dcc3548.txt", texts / "b.txt")
    store = tmp_path / "store"
    code, _out, err = run(capsys, "load", str(texts), "--store", str(store), "--no-progress")
    assert code == 0, err
    assert "b.txt: same text (SHA-256) as a.txt" in err
    ro = open_store(store, read_only=True)
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?m pkg:responsibleAgency ?a }"
    matches = int(next(iter(ro.query(q)))["n"].value)
    assert matches > 0
    pairs = {(r["m"], r["a"]) for r in ro.query("SELECT ?m ?a WHERE { ?m pkg:responsibleAgency ?a }")}
    assert matches == len(pairs)  # each match once, not once per copy
    names = {r["n"].value for r in ro.query("SELECT ?n WHERE { ?f a pkg:SourceFile ; pkg:fileName ?n }")}
    assert names == {"a.txt", "b.txt"}  # both files are known, on one source-file node
    del ro
    # loading b.txt alone again: still only its name, a.txt's graph is untouched
    code, _out, err = run(capsys, "load", str(texts / "b.txt"), "--store", str(store), "--no-progress")
    assert code == 0 and "same text (SHA-256) as" in err
    ro = open_store(store, read_only=True)
    assert ro.count(document_graph("b.txt")) == 2 and ro.count(document_graph("a.txt")) > 1000


def test_a_load_killed_midway_leaves_every_graph_complete_or_absent(tmp_path):
    """kill -9 while documents are being written: each document graph is as a full load writes it,
    or absent; never half-written."""
    import importlib.util
    import signal
    import subprocess
    import sys

    spec = importlib.util.spec_from_file_location("bench_generate", Path(__file__).parents[1] / "bench" / "generate.py")
    generate = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = generate
    spec.loader.exec_module(generate)
    files = generate.generate(tmp_path / "gen", 24, seed=5)
    reference = open_store(memory=True)
    load_paths(files, reference, errors=lambda m: None)
    expected = {}
    for q in reference.oxigraph:
        expected.setdefault(q.graph_name.value, set()).add(q)

    store = tmp_path / "store"
    child = subprocess.Popen(
        [sys.executable, "-c",
         "import sys; from policykg.graph.load import load_paths; from policykg.graph.store import open_store\n"
         "load_paths(sys.argv[2:], open_store(path=sys.argv[1]), batch_documents=2,\n"
         "           progress=lambda i, n, label: print(i, flush=True), errors=lambda m: None)",
         str(store), *map(str, files)],
        stdout=subprocess.PIPE, text=True)
    for _ in range(13):  # half-way: some batches written, one being written or built
        child.stdout.readline()
    child.send_signal(signal.SIGKILL)
    child.wait()
    got = {}
    for q in ox.Store(str(store)):  # opened for writing: RocksDB recovers from its log as after a crash
        got.setdefault(q.graph_name.value, set()).add(q)
    docs = [g for g in got if "/graph/doc/" in g]
    assert docs and len(docs) < len(files)
    for g in docs:
        assert got[g] == expected[g], g
