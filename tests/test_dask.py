"""Extraction as a Dask bag over files, on a real local Dask cluster (two worker processes): the
same records as one process, bad files named, N-Quads as `policykg load` would write them."""

from __future__ import annotations

import glob
import io
import json

import pyoxigraph as ox
import pytest
from conftest import CORPUS
from policykg.cli import main
from policykg.graph.distributed import extract_distributed
from policykg.graph.namespaces import document_graph
from policykg.graph.store import open_store
from policykg.loaders.batch import write_records

CORPUS_FILES = sorted(glob.glob(str(CORPUS / "*.txt")))


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    c = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    yield c
    c.close()


@pytest.fixture()
def inputs(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "picture.txt"
    binary.write_bytes(bytes(range(256)) * 8)
    return [CORPUS_FILES[0], str(empty), *CORPUS_FILES[1:3], str(binary), str(tmp_path / "missing.txt"),
            *CORPUS_FILES[3:]]


def test_same_records_as_one_process_and_bad_files_named(cluster, inputs):
    single = io.StringIO()
    errors: list[str] = []
    write_records(inputs, single, on_error=lambda exc: errors.append(str(exc)))
    items = list(extract_distributed(inputs, scheduler=cluster.scheduler_address))
    assert [i.file for i in items] == inputs  # every file accounted for, in the order given
    assert [i.record for i in items if i.record] == single.getvalue().splitlines()
    assert len([i for i in items if i.record]) == 5
    assert sorted(i.error for i in items if i.error) == sorted(errors)
    named = " ".join(i.error for i in items if i.error)
    assert "empty.txt" in named and "picture.txt" in named and "missing.txt" in named


def test_cli_extract_and_load_on_the_cluster(cluster, inputs, tmp_path, capsys):
    single = tmp_path / "single.jsonl"
    assert main(["extract", *inputs, "-o", str(single)]) == 0
    capsys.readouterr()
    spread = tmp_path / "dask.jsonl"
    assert main(["extract", *inputs, "-o", str(spread), "--dask", cluster.scheduler_address]) == 0
    err = capsys.readouterr().err
    assert spread.read_text(encoding="utf-8") == single.read_text(encoding="utf-8")
    assert err.count("policykg extract: error:") == 3 and "picture.txt" in err
    assert main(["extract", *CORPUS_FILES[:2], "--format", "json", "--dask", cluster.scheduler_address]) == 0
    records = json.loads(capsys.readouterr().out)
    assert [r["file"] for r in records] == ["000_7def8b4073ecbbf5.txt", "001_2c9e03d5df35330e.txt"]
    store = tmp_path / "store"
    assert main(["load", *inputs, "--store", str(store), "--dask", cluster.scheduler_address,
                 "--no-progress"]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("loaded 5 documents") and "empty.txt" in captured.err


def test_nquads_are_the_graphs_load_writes(cluster, corpus_store):
    items = list(extract_distributed(CORPUS_FILES[2:4], scheduler=cluster.scheduler_address, nquads=True))
    embedded = open_store(corpus_store, read_only=True)
    for item in items:
        quads = list(ox.parse(item.nquads.encode("utf-8"), ox.RdfFormat.N_QUADS))
        name = document_graph(json.loads(item.record)["file"])
        assert {q.graph_name.value for q in quads} == {name}
        assert len(set(quads)) == embedded.count(name) > 1000
