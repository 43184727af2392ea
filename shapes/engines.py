"""The SHACL engines: pySHACL (the reference) and pyshacl-turbo (same API, Rust, fast).

`run_engine(engine, data, shapes, inference, ontology)` returns the engine's standard
`sh:ValidationReport` graph. When an engine refuses the shapes, the error names the shapes file
it refuses (each file is tried alone, with the files that declare prefixes).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from policykg.shapes.errors import ValidateError, one_line
from policykg.shapes.loading import default_shapes_dir, load_shape_file, shape_files
from rdflib import Graph
from rdflib.namespace import SH

ENGINES = ("pyshacl", "turbo")
INFERENCES = ("none", "rdfs", "owlrl")

Runner = Callable[[Graph, Graph, str, "Graph | None"], tuple]


def _options(shapes: Graph, inference: str, ontology: Graph | None) -> dict:
    """The options both engines take (pyshacl-turbo keeps pySHACL's API)."""
    return {
        "shacl_graph": shapes,
        "ont_graph": ontology,
        "inference": None if inference == "none" else inference,
        "abort_on_first": False,
        "allow_infos": False,
        "allow_warnings": False,
        "advanced": False,
        "do_owl_imports": False,  # owl:imports would fetch other documents
    }


def _run_pyshacl(data: Graph, shapes: Graph, inference: str, ontology: Graph | None) -> tuple:
    import pyshacl

    return pyshacl.validate(data, meta_shacl=False, js=False, debug=False, **_options(shapes, inference, ontology))


def _run_turbo(data: Graph, shapes: Graph, inference: str, ontology: Graph | None) -> tuple:
    try:
        import pyshacl_turbo
    except ImportError:
        raise ValidateError(
            "engine 'turbo' needs the pyshacl-turbo package (pip install pyshacl-turbo)"
        ) from None
    return pyshacl_turbo.validate(data, **_options(shapes, inference, ontology))


RUNNERS: dict[str, Runner] = {"pyshacl": _run_pyshacl, "turbo": _run_turbo}


def check_choices(engine: str, inference: str) -> None:
    if engine not in ENGINES:
        raise ValidateError(f"unknown engine {engine!r} (choose from {', '.join(ENGINES)})")
    if inference not in INFERENCES:
        raise ValidateError(f"unknown inference {inference!r} (choose from {', '.join(INFERENCES)})")


def _drop(record: logging.LogRecord) -> bool:
    return False


@contextmanager
def _quiet_engines() -> Iterator[None]:
    """pySHACL logs shape errors itself; we report them once, naming the file."""
    loggers = [logging.getLogger(name) for name in ("pyshacl", "pyshacl-validate", "pyshacl-turbo")]
    for lg in loggers:
        lg.addFilter(_drop)
    try:
        yield
    finally:
        for lg in loggers:
            lg.removeFilter(_drop)


def _find_bad_shape_file(shapes_dir: str | Path | None, runner: Runner, data: Graph) -> Path | None:
    """After the engine refused the shapes: which file does it refuse (with the prefixes file)?"""
    files = shape_files(shapes_dir)
    graphs = {path: load_shape_file(path) for path in files}
    declarations = Graph()
    for g in graphs.values():
        if (None, SH.declare, None) in g:
            declarations += g
    for path, g in graphs.items():
        try:
            runner(data, g + declarations, "none", None)
        except Exception:
            return path
    return None


def run_engine(engine: str, data: Graph, shapes: Graph, inference: str = "none",
               ontology: Graph | None = None, shapes_dir: str | Path | None = None) -> Graph:
    """The engine's `sh:ValidationReport` graph for `data` against `shapes`."""
    check_choices(engine, inference)
    runner = RUNNERS[engine]
    try:
        with _quiet_engines():
            _conforms, report_graph, _text = runner(data, shapes, inference, ontology)
    except ValidateError:
        raise
    except Exception as exc:
        try:
            with _quiet_engines():
                bad = _find_bad_shape_file(shapes_dir, runner, data)
        except Exception:  # pragma: no cover - diagnosis must not hide the error
            bad = None
        where = bad or (shapes_dir if shapes_dir is not None else default_shapes_dir())
        raise ValidateError(f"{where}: the {engine} engine refused the shapes: {one_line(exc)}") from None
    if not isinstance(report_graph, Graph):  # a failure object instead of a report
        raise ValidateError(f"the {engine} engine failed: {one_line(Exception(str(report_graph)))}")
    return report_graph
