"""`validate()`: load, run an engine, read and enrich its results, in one call."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from policykg.shapes.engines import check_choices, run_engine
from policykg.shapes.enrich import enrich, read_results, shape_labels
from policykg.shapes.loading import default_shapes_dir, load_data, load_ontology, load_shapes
from policykg.shapes.report import Report, Result
from rdflib import Graph

#: the default engine: pyshacl-turbo gives pySHACL's reports (tests/test_validate_engines.py) ~10x faster
DEFAULT_ENGINE = "turbo"


def validate(
    data,
    shapes_dir: str | Path | None = None,
    inference: str = "none",
    engine: str = DEFAULT_ENGINE,
    ontology: str | Path | Graph | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> Report:
    """Validate `data` against the shapes and return an enriched `Report`.

    `data` is anything `load_data` takes (graph, dataset, store, store directory, RDF file or
    files). `engine` is "pyshacl" (the reference) or "turbo" (pyshacl-turbo). `inference`
    "rdfs" or "owlrl" expands the data with the ontology (the shipped `ontology/policykg.ttl`
    unless `ontology` is given) before validating; the data is not changed. `progress(done,
    total, label)` is told each step as it starts (a progress bar's signature).
    """
    step = progress or (lambda done, total, label: None)
    check_choices(engine, inference)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    step(0, 4, "reading the shapes")
    shapes = load_shapes(shapes_dir)
    timings["shapes"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    # Both engines get the same rdflib copy of the union graph. Handing pyshacl-turbo the pyoxigraph
    # Store instead saves the copy (~30% of the time) but changes one result on the corpus (a figure
    # with pkg:unitText "" passes FigureUnitShape there, fails it in pySHACL): not until they agree.
    step(1, 4, "reading the data")
    graph = load_data(data)
    triples = len(graph)
    ontology_graph = load_ontology(ontology) if inference != "none" else None
    timings["load"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    step(2, 4, f"validating ({engine})")
    report_graph = run_engine(engine, graph, shapes, inference, ontology_graph, shapes_dir)
    timings["validate"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    step(3, 4, "reading the results")
    labels = shape_labels(shapes)
    results = read_results(report_graph, labels)
    enrich(graph, results)
    results.sort(key=Result.sort_key)
    timings["enrich"] = time.perf_counter() - t0
    step(4, 4, "")
    return Report(
        results=results,
        graph=report_graph,
        engine=engine,
        inference=inference,
        shapes_dir=str(shapes_dir if shapes_dir is not None else default_shapes_dir()),
        data_triples=triples,
        timings=timings,
        shape_labels=labels,
    )
