"""pySHACL (the reference) and pyshacl-turbo give identical reports.

Compared: every result's severity, focus node, source shape, constraint component, path, value
and both messages. On the corpus and on every per-shape case of test_shapes_cases.py.
"""

from __future__ import annotations

import time

import pytest
from policykg.shapes import load_data, validate


def _keys(report) -> list[tuple]:
    return sorted(r.key() + (r.message_zh or "",) for r in report.results)


def test_both_engines_identical_on_the_corpus(corpus_store):
    data = load_data(corpus_store)
    t0 = time.perf_counter()
    ref = validate(data, engine="pyshacl")
    t1 = time.perf_counter()
    fast = validate(data, engine="turbo")
    t2 = time.perf_counter()
    assert len(ref.results) > 50
    assert _keys(ref) == _keys(fast)
    assert ref.counts == fast.counts and ref.conforms == fast.conforms
    print(f"\npyshacl {t1 - t0:.2f} s, turbo {t2 - t1:.2f} s, {len(ref.results)} results {ref.counts}")


def test_both_engines_identical_on_every_shape_case():
    from test_shapes_cases import CASES, _graph

    for case in CASES:
        shape, _severity, update, _focus, conform, _value = case.values
        for upd in (update, conform):
            if upd is None:
                continue
            g = _graph(upd)
            assert _keys(validate(g, engine="pyshacl")) == _keys(validate(g, engine="turbo")), shape


@pytest.mark.parametrize("inference,expected", [
    ("none", {"czj", "kjj"}),  # no shortcuts at all: neither lead is a responsible agency
    ("owlrl", set()),  # property chains, sub-properties: both shortcuts come back
])
def test_both_engines_agree_with_inference(inference, expected):
    """Shortcuts removed from the data come back by inference with the ontology; engines agree."""
    from test_shapes_cases import _graph

    g = _graph("DELETE WHERE { ex:m1 pkg:responsibleAgency ?a } ; DELETE WHERE { ex:m1 pkg:leadAgency ?b } ;"
               " INSERT DATA { ex:m1 pkg:leadAgency ex:czj . ex:czj a pkg:Agency ; pkg:function ex:finance . }")
    ref = validate(g, engine="pyshacl", inference=inference)
    fast = validate(g, engine="turbo", inference=inference)
    assert _keys(ref) == _keys(fast)
    lead = {r.value.rsplit("/", 1)[1] for r in ref.results if r.shape.endswith("#LeadAmongResponsibleShape")}
    assert lead == expected
    assert {r.shape.rsplit("#", 1)[1] for r in ref.results} <= {"LeadAmongResponsibleShape"}
