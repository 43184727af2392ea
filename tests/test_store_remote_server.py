"""The remote store against our own SPARQL endpoint (`policykg serve --update-token`): records are
loaded over SPARQL 1.1 Update and read back over the Query protocol, shortcuts included."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import RunningServer
from policykg.cli import main
from policykg.graph.load import load_paths
from policykg.graph.store import RemoteStore, open_store, results_to_json

FIX = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    store = tmp_path_factory.mktemp("remote") / "store"
    s = ox.Store(str(store))
    s.flush()
    del s
    srv = RunningServer(str(store), ["--update-token", "graph-token", "--workers", "1"])
    yield srv
    srv.stop()


def test_load_and_query_over_http(server, capsys, monkeypatch):
    store = open_store(endpoint=server.sparql, token="graph-token")
    assert isinstance(store, RemoteStore)
    summary = load_paths([FIX / "sample.jsonl"], store, errors=lambda m: pytest.fail(m))
    assert summary.documents == 2
    q = "SELECT DISTINCT ?m ?a WHERE { ?m pkg:responsibleAgency ?a } ORDER BY ?m ?a"
    rows = results_to_json(store.query(q))["results"]["bindings"]
    local = open_store(memory=True)
    load_paths([FIX / "sample.jsonl"], local)
    assert len(rows) == 6 and rows == results_to_json(local.query(q))["results"]["bindings"]
    assert store.load_version() >= 2
    # the CLI does the same, the token coming from the environment; reloading changes nothing
    monkeypatch.setenv("POLICYKG_UPDATE_TOKEN", "graph-token")
    before = store.count()
    assert main(["load", str(FIX / "sample.jsonl"), "--endpoint", server.sparql, "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("loaded 2 documents")
    assert store.count() == before
    assert main(["query", "ASK { ?a pkg:owns ?m }", "--endpoint", server.sparql]) == 0
    assert capsys.readouterr().out.strip() == "true"


def test_update_without_token_is_refused(server):
    store = open_store(endpoint=server.sparql, token="")
    with pytest.raises(OSError, match="401"):
        store.replace_graph("http://example.org/g", "<http://example.org/a> <http://example.org/b> <http://example.org/c> .")
