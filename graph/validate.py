"""Validate the graph against the SHACL shapes in `shapes/` and explain the results.

Public API:

- `validate(data, shapes_dir=None, inference="none", engine="pyshacl") -> Report`
  where `data` is an rdflib `Graph` or `Dataset`, a pyoxigraph `Store`, a
  `policykg.graph.store.OxigraphStore`, a path to an RDF file or to an
  embedded store directory, or a list of RDF file paths. A store is read as
  the union of its named graphs (documents, ontology, gazetteer).
- `load_shapes(shapes_dir=None) -> rdflib.Graph`: every `*.ttl` of the
  directory (default: the shipped `policykg.shapes`) in one graph.
- `ValidateError`: bad input or bad shapes; its message names the file.

The shapes are standard SHACL (Core plus SPARQL-based constraints), so any
validator gives the same results; pySHACL is the reference engine and
`pyshacl-turbo` (same API, Rust) an optional fast path (`engine="turbo"`).

A `Report` keeps the engine's standard `sh:ValidationReport` graph and a list
of `Result`s. Each result is looked up in the data so that an auditor can
find it without SPARQL: the measure's label, its numbering path
(`pkg:path`), the title of the plan or document that holds it, the agencies
that own it, and its sources (file, character offsets, quote).

`Report.conforms` is true when no result has severity `sh:Violation`
(Warnings and Infos are reported but do not fail an audit), which is what
the CLI's exit code follows. The Turtle report keeps the engine's standard
`sh:conforms` (false as soon as there is any result, per the SHACL spec).
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from rdflib import RDF, RDFS, BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.graph import ConjunctiveGraph
from rdflib.namespace import DCTERMS, SH, SKOS

PKG = Namespace("https://w3id.org/policykg/ontology#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
PROV = Namespace("http://www.w3.org/ns/prov#")
OA = Namespace("http://www.w3.org/ns/oa#")

SEVERITIES = ("Violation", "Warning", "Info")
ENGINES = ("pyshacl", "turbo")
INFERENCES = ("none", "rdfs", "owlrl")

_RDF_FORMATS = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".nt": "nt",
    ".ntriples": "nt",
    ".nq": "nquads",
    ".nquads": "nquads",
    ".trig": "trig",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
    ".n3": "n3",
}

# Properties that carry a document's title, in order of preference.
_TITLE_PROPS = (ELI.title, DCTERMS.title, RDFS.label, SKOS.prefLabel)
_LABEL_PROPS = (RDFS.label, SKOS.prefLabel, ELI.title, DCTERMS.title, SKOS.altLabel)


class ValidateError(Exception):
    """Validation could not run: bad data, bad shapes, unknown engine. Names the file."""


@dataclass
class Source:
    """Where a fact stands in a source file."""

    file: str | None = None
    start: int | None = None
    end: int | None = None
    quote: str | None = None


@dataclass
class Result:
    """One validation result, with what an auditor needs to find it."""

    severity: str  # Violation | Warning | Info
    focus: str  # IRI, or _:id for a blank node
    shape: str  # IRI of the shape that produced it (sh:sourceShape)
    shape_label: str
    component: str  # local name of sh:sourceConstraintComponent
    message: str
    message_zh: str | None = None
    path: str | None = None
    value: str | None = None
    focus_type: str | None = None  # local name of the focus node's pkg: class
    label: str | None = None  # the measure's (or the focus node's) label
    numbering: str | None = None  # pkg:path of the measure
    document: str | None = None  # title of the plan / document that holds it
    document_iri: str | None = None
    agencies: list[str] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)

    def key(self) -> tuple:
        """What two engines must agree on."""
        return (self.severity, self.focus, self.shape, self.component, self.path or "", self.value or "",
                self.message)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Report:
    results: list[Result]
    graph: Graph  # the standard sh:ValidationReport
    engine: str
    inference: str
    shapes_dir: str
    data_triples: int
    timings: dict[str, float]
    shape_labels: dict[str, str] = field(default_factory=dict)

    @property
    def conforms(self) -> bool:
        """No Violation (Warnings and Infos do not fail an audit)."""
        return not any(r.severity == "Violation" for r in self.results)

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(SEVERITIES, 0)
        for r in self.results:
            counts[r.severity] = counts.get(r.severity, 0) + 1
        return counts

    def by_severity_and_shape(self) -> list[tuple[str, str, list[Result]]]:
        """Results grouped by severity (Violation first) then by shape."""
        groups: dict[tuple[str, str], list[Result]] = defaultdict(list)
        for r in self.results:
            groups[(r.severity, r.shape)].append(r)
        order = {s: i for i, s in enumerate(SEVERITIES)}
        keys = sorted(groups, key=lambda k: (order.get(k[0], 9), self.shape_labels.get(k[1], k[1])))
        return [(sev, shape, groups[(sev, shape)]) for sev, shape in keys]


# ---------------------------------------------------------------------------
# shapes


def default_shapes_dir() -> Path:
    return Path(str(resources.files("policykg.shapes")))


def default_ontology_file() -> Path | None:
    try:
        path = Path(str(resources.files("policykg.ontology"))) / "policykg.ttl"
    except ModuleNotFoundError:  # pragma: no cover - installed without ontology
        return None
    return path if path.is_file() else None


def shape_files(shapes_dir: str | Path | None = None) -> list[Path]:
    directory = Path(shapes_dir) if shapes_dir is not None else default_shapes_dir()
    if not directory.exists():
        raise ValidateError(f"{directory}: no such shapes directory")
    if directory.is_file():
        return [directory]
    files = sorted(directory.glob("*.ttl"))
    if not files:
        raise ValidateError(f"{directory}: no shapes (*.ttl) in this directory")
    return files


def load_shapes(shapes_dir: str | Path | None = None) -> Graph:
    """All shape files in one graph; a file that does not parse is named."""
    shapes = Graph()
    for path in shape_files(shapes_dir):
        try:
            shapes.parse(path, format="turtle")
        except Exception as exc:  # rdflib raises many kinds
            raise ValidateError(f"{path}: not valid Turtle: {_one_line(exc)}") from None
    return shapes


# ---------------------------------------------------------------------------
# data


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:400] if text else type(exc).__name__


def _format_for(path: Path) -> str:
    suffixes = "".join(path.suffixes[-2:]).lower()
    for ext, fmt in _RDF_FORMATS.items():
        if suffixes.endswith(ext):
            return fmt
    raise ValidateError(f"{path}: unknown RDF file type (expected one of {', '.join(sorted(_RDF_FORMATS))})")


def _ox_to_rdflib(term):
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value
        if dt == "http://www.w3.org/2001/XMLSchema#string":
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(dt))
    raise ValidateError(f"unsupported RDF term in store: {term!r}")  # quoted triples


def store_to_graph(store) -> Graph:
    """The union of every graph of a pyoxigraph Store, as one rdflib Graph."""
    graph = Graph()
    cache: dict[Any, Any] = {}

    def conv(term):
        got = cache.get(term)
        if got is None:
            got = cache[term] = _ox_to_rdflib(term)
        return got

    add = graph.add
    for quad in store.quads_for_pattern(None, None, None, None):
        add((conv(quad.subject), conv(quad.predicate), conv(quad.object)))
    return graph


def open_store(directory: str | Path):
    """Open an embedded Oxigraph store read-only (works while a server holds it)."""
    import pyoxigraph as ox

    directory = Path(directory)
    if not directory.is_dir():
        raise ValidateError(f"{directory}: no such store directory")
    try:
        return ox.Store.read_only(str(directory))
    except Exception as exc:
        raise ValidateError(f"{directory}: cannot open the store: {_one_line(exc)}") from None


def _union(graph: Graph) -> Graph:
    if isinstance(graph, (Dataset, ConjunctiveGraph)) or getattr(graph, "context_aware", False):
        flat = Graph()
        for s, p, o, _ in graph.quads((None, None, None, None)):
            flat.add((s, p, o))
        for prefix, ns in graph.namespaces():
            flat.bind(prefix, ns, override=False)
        return flat
    return graph


def load_data(data) -> Graph:
    """Turn any accepted input into one rdflib Graph (the union of named graphs)."""
    if isinstance(data, Graph):
        return _union(data)
    if type(data).__module__.startswith("pyoxigraph"):
        return store_to_graph(data)
    if getattr(data, "oxigraph", None) is not None:  # policykg.graph.store.OxigraphStore
        return store_to_graph(data.oxigraph)
    if isinstance(data, (str, Path)):
        path = Path(data)
        if path.is_dir():
            return store_to_graph(open_store(path))
        return _load_files([path])
    if isinstance(data, Iterable):
        return _load_files([Path(p) for p in data])
    raise ValidateError(f"cannot validate a {type(data).__name__}")


def _load_files(paths: Sequence[Path]) -> Graph:
    if not paths:
        raise ValidateError("no data: give RDF files or a store")
    graph = Dataset()
    for path in paths:
        if path.is_dir():
            raise ValidateError(f"{path}: is a directory (use --store for a store)")
        if not path.is_file():
            raise ValidateError(f"{path}: no such file")
        fmt = _format_for(path)
        try:
            if fmt in ("nquads", "trig"):
                graph.parse(path, format=fmt)
            else:
                graph.default_graph.parse(path, format=fmt)
        except Exception as exc:
            raise ValidateError(f"{path}: not valid {fmt}: {_one_line(exc)}") from None
    return _union(graph)


# ---------------------------------------------------------------------------
# engines


def _engine_options(shapes: Graph, inference: str, ontology: Graph | None) -> dict:
    """The options both engines take (pyshacl-turbo keeps pySHACL's API)."""
    return {
        "shacl_graph": shapes,
        "ont_graph": ontology,
        "inference": None if inference == "none" else inference,
        "abort_on_first": False,
        "allow_infos": False,
        "allow_warnings": False,
        "advanced": False,
    }


def _run_pyshacl(data: Graph, shapes: Graph, inference: str, ontology: Graph | None):
    import pyshacl

    return pyshacl.validate(data, meta_shacl=False, js=False, debug=False,
                            **_engine_options(shapes, inference, ontology))


def _run_turbo(data: Graph, shapes: Graph, inference: str, ontology: Graph | None):
    try:
        import pyshacl_turbo
    except ImportError:
        raise ValidateError(
            "engine 'turbo' needs the pyshacl-turbo package (pip install pyshacl-turbo)"
        ) from None
    return pyshacl_turbo.validate(data, **_engine_options(shapes, inference, ontology))


def _find_bad_shape_file(shapes_dir, engine_runner, data: Graph) -> Path | None:
    """After the engine refused the shapes: which file does it refuse (with the prefixes file)?"""
    files = shape_files(shapes_dir)
    declarations = Graph()
    for path in files:
        g = Graph().parse(path, format="turtle")
        if (None, SH.declare, None) in g:
            declarations += g
    for path in files:
        g = Graph().parse(path, format="turtle")
        g += declarations
        try:
            engine_runner(data, g, "none", None)
        except Exception:
            return path
    return None


def _drop(record: logging.LogRecord) -> bool:
    return False


@contextmanager
def _quiet_engines():
    """pySHACL logs shape errors itself; we report them once, naming the file."""
    loggers = [logging.getLogger(name) for name in ("pyshacl", "pyshacl-validate", "pyshacl-turbo")]
    for lg in loggers:
        lg.addFilter(_drop)
    try:
        yield
    finally:
        for lg in loggers:
            lg.removeFilter(_drop)


# ---------------------------------------------------------------------------
# the call


def validate(
    data,
    shapes_dir: str | Path | None = None,
    inference: str = "none",
    engine: str = "pyshacl",
    ontology: str | Path | Graph | None = None,
) -> Report:
    """Validate `data` against the shapes and return an enriched `Report`.

    `inference` "rdfs" or "owlrl" expands the data with the ontology (the
    shipped `ontology/policykg.ttl` unless `ontology` is given) before
    validating; the data is not changed.
    """
    if engine not in ENGINES:
        raise ValidateError(f"unknown engine {engine!r} (choose from {', '.join(ENGINES)})")
    if inference not in INFERENCES:
        raise ValidateError(f"unknown inference {inference!r} (choose from {', '.join(INFERENCES)})")
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    shapes = load_shapes(shapes_dir)
    timings["shapes"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    graph = load_data(data)
    timings["load"] = time.perf_counter() - t0

    ont_graph = None
    if inference != "none":
        if isinstance(ontology, Graph):
            ont_graph = ontology
        else:
            ont_path = Path(ontology) if ontology is not None else default_ontology_file()
            if ont_path is not None:
                ont_graph = Graph()
                try:
                    ont_graph.parse(ont_path, format=_format_for(ont_path))
                except ValidateError:
                    raise
                except Exception as exc:
                    raise ValidateError(f"{ont_path}: not valid RDF: {_one_line(exc)}") from None

    runner = _run_pyshacl if engine == "pyshacl" else _run_turbo
    t0 = time.perf_counter()
    try:
        with _quiet_engines():
            _conforms, report_graph, _text = runner(graph, shapes, inference, ont_graph)
    except ValidateError:
        raise
    except Exception as exc:
        where = shapes_dir if shapes_dir is not None else default_shapes_dir()
        try:
            with _quiet_engines():
                bad = _find_bad_shape_file(shapes_dir, runner, graph)
        except Exception:  # pragma: no cover - diagnosis must not hide the error
            bad = None
        raise ValidateError(f"{bad or where}: the {engine} engine refused the shapes: {_one_line(exc)}") from None
    timings["validate"] = time.perf_counter() - t0
    if not isinstance(report_graph, Graph):  # a failure object instead of a report
        raise ValidateError(f"the {engine} engine failed: {_one_line(Exception(str(report_graph)))}")

    t0 = time.perf_counter()
    shape_labels = _shape_labels(shapes)
    results = _results(report_graph, shapes, shape_labels)
    Enricher(graph).enrich(results)
    results.sort(key=_sort_key)
    timings["enrich"] = time.perf_counter() - t0
    return Report(
        results=results,
        graph=report_graph,
        engine=engine,
        inference=inference,
        shapes_dir=str(shapes_dir if shapes_dir is not None else default_shapes_dir()),
        data_triples=len(graph),
        timings=timings,
        shape_labels=shape_labels,
    )


def _sort_key(r: Result):
    order = {s: i for i, s in enumerate(SEVERITIES)}
    return (order.get(r.severity, 9), r.shape, r.document or "", _numbering_key(r.numbering), r.focus,
            r.path or "", r.value or "", r.message)


_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9, "壹": 1, "贰": 2, "叁": 3, "肆": 4, "伍": 5, "陆": 6, "柒": 7, "捌": 8, "玖": 9}


def _cn_number(text: str) -> int | None:
    """一 → 1, 十二 → 12, 二十三 → 23 (enough to sort numbering paths)."""
    if not text:
        return None
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for ch in text:
        if ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        elif ch in "十拾":
            total += (current or 1) * 10
            current = 0
        elif ch in "百佰":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current


def _numbering_key(path: str | None):
    """Sort key of a numbering path: 二/（十）/3 after 二/（二）/12."""
    if not path:
        return ()
    key = []
    for part in path.split("/"):
        bare = part.strip().strip("（）()〔〕[]、.．").strip()
        n = _cn_number(bare)
        key.append((0, n, "") if n is not None else (1, 0, part))
    return tuple(key)


# ---------------------------------------------------------------------------
# reading the report


def _n3(term) -> str | None:
    if term is None:
        return None
    if isinstance(term, URIRef):
        return str(term)
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        return str(term)
    return str(term)


def _local(iri) -> str:
    text = str(iri)
    for sep in ("#", "/"):
        if sep in text:
            text = text.rsplit(sep, 1)[1]
    return text


def _pick_lang(values: Iterable[Literal], prefer: Sequence[str | None] = ("en", None)) -> str | None:
    values = list(values)
    for lang in prefer:
        for v in values:
            if isinstance(v, Literal) and (v.language or None) == lang:
                return str(v)
    return str(values[0]) if values else None


def _is_chinese(text: str) -> bool:
    """Engines drop the language tag of SPARQL-based messages: tell by the first word."""
    for ch in text:
        if ch.isascii() and ch.isalpha():
            return False
        if "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff":
            return True
    return False


def _messages(values) -> tuple[str, str | None]:
    """(English message, Chinese message) of one result."""
    en = zh = other = None
    for m in sorted(values, key=str):
        lang = (m.language or "").lower() if isinstance(m, Literal) else ""
        text = str(m)
        if lang.startswith("zh") or (not lang and _is_chinese(text)):
            zh = zh or text
        elif lang in ("en", "") or lang.startswith("en-"):
            en = en or text
        else:
            other = other or text
    return (en or other or zh or ""), zh


def _shape_labels(shapes: Graph) -> dict[str, str]:
    labels = {}
    for s in set(shapes.subjects(RDFS.label, None)):
        label = _pick_lang(shapes.objects(s, RDFS.label))
        if label:
            labels[_n3(s)] = label
    return labels


_PATH_PREFIXES = {
    str(PKG): "pkg:", str(ELI): "eli:", str(PROV): "prov:", str(OA): "oa:", str(RDFS): "rdfs:",
    str(RDF): "rdf:", str(SKOS): "skos:", str(DCTERMS): "dcterms:",
}


def _compact(iri) -> str:
    text = str(iri)
    for ns, prefix in _PATH_PREFIXES.items():
        if text.startswith(ns) and "/" not in text[len(ns):] and "#" not in text[len(ns):]:
            return prefix + text[len(ns):]
    return f"<{text}>"


def _path_text(report: Graph, path, depth: int = 0) -> str | None:
    """A SHACL property path in SPARQL syntax, without blank node labels (engines differ there)."""
    if path is None:
        return None
    if isinstance(path, URIRef):
        return _compact(path)
    if depth > 20:
        return "…"
    if report.value(path, RDF.first) is not None:
        return "/".join(_path_text(report, i, depth + 1) or "?" for i in report.items(path))
    for prop, fmt in ((SH.inversePath, "^{}"), (SH.zeroOrMorePath, "{}*"), (SH.oneOrMorePath, "{}+"),
                      (SH.zeroOrOnePath, "{}?")):
        inner = report.value(path, prop)
        if inner is not None:
            text = _path_text(report, inner, depth + 1) or "?"
            if not isinstance(inner, URIRef):
                text = f"({text})"
            return fmt.format(text)
    alt = report.value(path, SH.alternativePath)
    if alt is not None:
        return "(" + "|".join(_path_text(report, i, depth + 1) or "?" for i in report.items(alt)) + ")"
    return "?"


def _results(report: Graph, shapes: Graph, shape_labels: dict[str, str]) -> list[Result]:
    results = []
    for r in report.subjects(RDF.type, SH.ValidationResult):
        severity = _local(report.value(r, SH.resultSeverity) or SH.Violation)
        shape_node = report.value(r, SH.sourceShape)
        shape = _n3(shape_node) or ""
        message, message_zh = _messages(report.objects(r, SH.resultMessage))
        component = report.value(r, SH.sourceConstraintComponent)
        results.append(
            Result(
                severity=severity,
                focus=_n3(report.value(r, SH.focusNode)) or "",
                shape=shape,
                shape_label=shape_labels.get(shape, _local(shape)),
                component=_local(component) if component is not None else "",
                message=message,
                message_zh=message_zh,
                path=_path_text(report, report.value(r, SH.resultPath)),
                value=_n3(report.value(r, SH.value)),
            )
        )
    return results


# ---------------------------------------------------------------------------
# looking results up in the data


class Enricher:
    """Finds label, numbering, document, agencies and sources for focus nodes."""

    def __init__(self, graph: Graph):
        self.g = graph

    @staticmethod
    def _term(text: str):
        if text.startswith("_:"):
            return BNode(text[2:])
        return URIRef(text)

    def _label(self, node, props=_LABEL_PROPS) -> str | None:
        for prop in props:
            values = list(self.g.objects(node, prop))
            if values:
                return _pick_lang(values, ("zh-Hans", "zh-hans", "zh", "zh-Hant", "zh-hant", None, "en"))
        return None

    def _type(self, node) -> str | None:
        types = [t for t in self.g.objects(node, RDF.type) if str(t).startswith(str(PKG))]
        if types:
            return sorted(_local(t) for t in types)[0]
        others = list(self.g.objects(node, RDF.type))
        return _local(sorted(others)[0]) if others else None

    def _measure_of(self, node, ftype: str | None):
        if ftype == "Measure":
            return node
        m = self.g.value(node, PKG.measure)
        if m is not None:
            return m
        m = self.g.value(None, PKG.hasFigure, node)
        if m is not None:
            return m
        return None

    def _document_of(self, node):
        """Nearest ancestor that has a title, and its title.

        Walks up eli:is_part_of (measure -> plan -> notice), and from a file or an
        expression to the work it carries (eli:embodies, eli:realizes).
        """
        seen = set()
        frontier = [node]
        while frontier:
            current = frontier.pop(0)
            if current in seen:
                continue
            seen.add(current)
            if current is not node:
                title = self._label(current, _TITLE_PROPS)
                if title:
                    return current, title
            for prop in (ELI.is_part_of, ELI.embodies, ELI.realizes):
                frontier.extend(sorted(self.g.objects(current, prop)))
        return None, None

    def _sources(self, node) -> list[Source]:
        out: list[Source] = []
        for res in self.g.objects(node, PROV.wasDerivedFrom):
            out.extend(self._sources_of_resource(res))
        return _dedupe(out)

    def _files_of_work(self, node) -> list[Source]:
        """The files that carry a work or an expression (a document without quote: its file)."""
        expressions = {node} | set(self.g.objects(node, ELI.is_realized_by))
        files = set()
        for e in expressions:
            files.update(self.g.objects(e, ELI.is_embodied_by))
            files.update(self.g.subjects(ELI.embodies, e))
        names = sorted(str(self.g.value(f, PKG.fileName) or _n3(f)) for f in files)
        return [Source(file=name) for name in names]

    def _quality_sources(self, file) -> list[Source]:
        out: list[Source] = []
        issues = sorted(self.g.objects(file, PKG.qualityIssue))
        lost = [i for i in issues if str(self.g.value(i, PKG.issueKind) or "") == "lost_characters"]
        for issue in lost or issues:
            out.extend(self._sources(issue))
        return sorted(_dedupe(out), key=lambda s: (s.file or "", s.start or 0))

    def _sources_of_resource(self, res) -> list[Source]:
        src = Source()
        source = self.g.value(res, OA.hasSource)
        if source is not None:
            name = self.g.value(source, PKG.fileName)
            src.file = str(name) if name is not None else _n3(source)
        for sel in self.g.objects(res, OA.hasSelector):
            start, end, exact = (self.g.value(sel, OA.start), self.g.value(sel, OA.end),
                                 self.g.value(sel, OA.exact))
            if start is not None and src.start is None:
                src.start = _int(start)
            if end is not None and src.end is None:
                src.end = _int(end)
            if exact is not None and src.quote is None:
                src.quote = str(exact)
        if src == Source():
            return []
        return [src]

    def _agencies(self, node, ftype: str | None, measure) -> list[str]:
        names: list[str] = []
        if ftype in ("Agency", "CollectiveAgent"):
            label = self._label(node)
            if label:
                names.append(label)
        agents = list(self.g.objects(node, PKG.agency))
        if measure is not None:
            agents += list(self.g.objects(measure, PKG.responsibleAgency))
            if not agents:
                for ob in self.g.subjects(PKG.measure, measure):
                    agents += list(self.g.objects(ob, PKG.agency))
        for a in agents:
            label = self._label(a) or _local(a)
            if label not in names:
                names.append(label)
        return names

    def enrich(self, results: list[Result]) -> None:
        cache: dict[str, dict] = {}
        for r in results:
            info = cache.get(r.focus)
            if info is None:
                info = cache[r.focus] = self._info(self._term(r.focus))
            r.focus_type = info["type"]
            r.label = info["label"]
            r.numbering = info["numbering"]
            r.document = info["document"]
            r.document_iri = info["document_iri"]
            r.agencies = list(info["agencies"])
            r.sources = list(info["sources"])

    def _info(self, node) -> dict:
        ftype = self._type(node)
        subject = node
        sources = None
        if ftype == "SpecificResource" or (node, RDF.type, OA.SpecificResource) in self.g:
            # a result about a source: show the fact it is the source of, and this source only
            fact = self.g.value(None, PROV.wasDerivedFrom, node)
            sources = self._sources_of_resource(node)
            if fact is not None:
                subject = fact
        stype = self._type(subject) if subject is not node else ftype
        measure = self._measure_of(subject, stype)
        anchor = measure if measure is not None else subject
        label = self._label(anchor)
        if label is None and anchor is not subject:
            label = self._label(subject)
        if label is None and stype == "SourceFile":
            name = self.g.value(subject, PKG.fileName)
            label = str(name) if name is not None else None
        numbering = self.g.value(anchor, PKG.path)
        doc_iri, doc_title = None, None
        if stype == "PolicyDocument":
            own = self._label(subject, _TITLE_PROPS)
            doc_iri, doc_title = (subject, own) if own else self._document_of(subject)
        elif stype == "Agency" or stype == "CollectiveAgent":
            titles = sorted({t for m in self._measures_of_agency(subject)
                             for _, t in [self._document_of(m)] if t})
            doc_title = "; ".join(titles) or None
        else:
            doc_iri, doc_title = self._document_of(anchor)
        if sources is None:
            sources = self._sources(subject) or (self._sources(measure) if measure is not None else [])
            if not sources and stype in ("Agency", "CollectiveAgent"):
                for ob in sorted(self.g.subjects(PKG.agency, subject)):
                    sources += self._sources(ob)
                sources = _dedupe(sources)
            if stype == "SourceFile":
                name = self.g.value(subject, PKG.fileName)
                sources = self._quality_sources(subject) or [
                    Source(file=str(name) if name is not None else _n3(subject))]
            if not sources and stype in ("PolicyDocument", "LegalExpression", "PartialExpression"):
                sources = self._files_of_work(subject)
        if doc_title is None and stype in ("PolicyDocument", "LegalExpression", "PartialExpression", "Measure",
                                           "Obligation", "Figure"):
            top = doc_iri if doc_iri is not None else self._top_work(anchor)
            files = self._files_of_work(top) if top is not None else []
            if files:
                doc_title = "(untitled: " + ", ".join(s.file or "?" for s in files) + ")"
                doc_iri = doc_iri or top
        return {
            "type": ftype,
            "label": label,
            "numbering": str(numbering) if numbering is not None else None,
            "document": doc_title,
            "document_iri": _n3(doc_iri),
            "agencies": self._agencies(subject, stype, measure),
            "sources": sources,
        }

    def _top_work(self, node):
        """The outermost work above a node (eli:is_part_of*), or the node itself."""
        current, seen = node, set()
        while current is not None and current not in seen:
            seen.add(current)
            parent = self.g.value(current, ELI.is_part_of)
            if parent is None:
                return current
            current = parent
        return current

    def _measures_of_agency(self, agency) -> list:
        measures = set(self.g.objects(agency, PKG.owns)) | set(self.g.subjects(PKG.responsibleAgency, agency))
        for ob in self.g.subjects(PKG.agency, agency):
            measures.update(self.g.objects(ob, PKG.measure))
        return sorted(measures)


def _dedupe(sources: list[Source]) -> list[Source]:
    seen, out = set(), []
    for s in sources:
        key = (s.file, s.start, s.end, s.quote)
        if key not in seen:
            seen.add(key)
            out.append(s)
    return out


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
