"""From the engine's `sh:ValidationReport` to `Result`s an auditor can act on.

`read_results(report_graph, shape_labels)` reads each `sh:ValidationResult` (severity, focus,
shape, component, path in SPARQL syntax, value, English and Chinese messages).
`enrich(data, results)` looks each focus node up in the data: the measure's label, its numbering
path (`pkg:path`), the title of the plan or document that holds it, the agencies that own it, and
its sources (file, character offsets, quote).

Every choice here is made in a fixed order, never in the order a graph happens to yield its
triples: a measure carried by two expressions (Simplified and Traditional files) has two labels,
two sources and two quotes, and the report must read the same whichever engine, store or file
order produced it. Labels prefer zh-Hans, then the least text; sources are listed by file and
offset; agencies by IRI.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from policykg.graph.namespaces import ELI, OA, PKG, compact
from policykg.shapes.report import Result, Source
from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, SH, SKOS

# Properties that carry a document's title, in order of preference.
_TITLE_PROPS = (ELI.title, DCTERMS.title, RDFS.label, SKOS.prefLabel)
_LABEL_PROPS = (RDFS.label, SKOS.prefLabel, ELI.title, DCTERMS.title, SKOS.altLabel)
_DATA_LANGS = ("zh-Hans", "zh-hans", "zh", "zh-Hant", "zh-hant", None, "en")
_DOCUMENT_TYPES = ("PolicyDocument", "LegalExpression", "PartialExpression")
_AGENT_TYPES = ("Agency", "CollectiveAgent")


# ---------------------------------------------------------------------------
# terms


def _n3(term) -> str | None:
    if term is None:
        return None
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def _local(iri) -> str:
    text = str(iri)
    for sep in ("#", "/"):
        if sep in text:
            text = text.rsplit(sep, 1)[1]
    return text


def _term_key(term) -> tuple:
    """A total order over RDF terms (rdflib refuses to compare some literals)."""
    return (type(term).__name__, str(term), getattr(term, "language", None) or "",
            str(getattr(term, "datatype", None) or ""))


def _sorted(terms: Iterable) -> list:
    return sorted(terms, key=_term_key)


def _first(terms: Iterable):
    """The least of several values (`Graph.value` returns whichever it meets first)."""
    terms = list(terms)
    return min(terms, key=_term_key) if terms else None


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _pick_lang(values: Iterable, prefer: Sequence[str | None] = ("en", None)) -> str | None:
    """The first preferred language; among values of one language, the least text."""
    values = _sorted(values)
    for lang in prefer:
        for v in values:
            if isinstance(v, Literal) and (v.language or None) == lang:
                return str(v)
    return str(values[0]) if values else None


# ---------------------------------------------------------------------------
# reading the engine's report


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


def shape_labels(shapes: Graph) -> dict[str, str]:
    """Shape IRI (or _:id) -> its English label."""
    labels = {}
    for s in set(shapes.subjects(RDFS.label, None)):
        label = _pick_lang(shapes.objects(s, RDFS.label))
        if label:
            labels[_n3(s)] = label
    return labels


def path_text(report: Graph, path, depth: int = 0) -> str | None:
    """A SHACL property path in SPARQL syntax, without blank node labels (engines differ there)."""
    if path is None:
        return None
    if isinstance(path, URIRef):
        return compact(str(path))
    if depth > 20:
        return "…"
    if report.value(path, RDF.first) is not None:
        return "/".join(path_text(report, i, depth + 1) or "?" for i in report.items(path))
    for prop, fmt in ((SH.inversePath, "^{}"), (SH.zeroOrMorePath, "{}*"), (SH.oneOrMorePath, "{}+"),
                      (SH.zeroOrOnePath, "{}?")):
        inner = report.value(path, prop)
        if inner is not None:
            text = path_text(report, inner, depth + 1) or "?"
            if not isinstance(inner, URIRef):
                text = f"({text})"
            return fmt.format(text)
    alt = report.value(path, SH.alternativePath)
    if alt is not None:
        return "(" + "|".join(path_text(report, i, depth + 1) or "?" for i in report.items(alt)) + ")"
    return "?"


def read_results(report: Graph, labels: dict[str, str]) -> list[Result]:
    """The report's `sh:ValidationResult`s as `Result`s (not yet enriched, not sorted)."""
    results = []
    for r in report.subjects(RDF.type, SH.ValidationResult):
        shape = _n3(report.value(r, SH.sourceShape)) or ""
        message, message_zh = _messages(report.objects(r, SH.resultMessage))
        component = report.value(r, SH.sourceConstraintComponent)
        results.append(
            Result(
                severity=_local(report.value(r, SH.resultSeverity) or SH.Violation),
                focus=_n3(report.value(r, SH.focusNode)) or "",
                shape=shape,
                shape_label=labels.get(shape, _local(shape)),
                component=_local(component) if component is not None else "",
                message=message,
                message_zh=message_zh,
                path=path_text(report, report.value(r, SH.resultPath)),
                value=_n3(report.value(r, SH.value)),
            )
        )
    return results


# ---------------------------------------------------------------------------
# looking nodes up in the data: labels, types, documents, agencies


def label_of(g: Graph, node, props: Sequence = _LABEL_PROPS) -> str | None:
    for prop in props:
        values = list(g.objects(node, prop))
        if values:
            return _pick_lang(values, _DATA_LANGS)
    return None


def type_of(g: Graph, node) -> str | None:
    """Local name of the node's pkg: class (the least if several), else of any class."""
    types = [t for t in g.objects(node, RDF.type) if str(t).startswith(str(PKG))]
    if types:
        return sorted(_local(t) for t in types)[0]
    others = _sorted(g.objects(node, RDF.type))
    return _local(others[0]) if others else None


def measure_of(g: Graph, node, ftype: str | None):
    """The measure a node is about: itself, its obligation's measure, its figure's measure."""
    if ftype == "Measure":
        return node
    return _first(g.objects(node, PKG.measure)) or _first(g.subjects(PKG.hasFigure, node))


def document_of(g: Graph, node):
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
            title = label_of(g, current, _TITLE_PROPS)
            if title:
                return current, title
        for prop in (ELI.is_part_of, ELI.embodies, ELI.realizes):
            frontier.extend(_sorted(g.objects(current, prop)))
    return None, None


def top_work(g: Graph, node):
    """The outermost work above a node (eli:is_part_of*), or the node itself."""
    current, seen = node, set()
    while current is not None and current not in seen:
        seen.add(current)
        parent = _first(g.objects(current, ELI.is_part_of))
        if parent is None:
            return current
        current = parent
    return current


def measures_of_agency(g: Graph, agency) -> list:
    measures = set(g.objects(agency, PKG.owns)) | set(g.subjects(PKG.responsibleAgency, agency))
    for ob in g.subjects(PKG.agency, agency):
        measures.update(g.objects(ob, PKG.measure))
    return _sorted(measures)


def agencies_of(g: Graph, node, ftype: str | None, measure) -> list[str]:
    """Names of the agencies a result is about: the agency itself, or the measure's owners."""
    names: list[str] = []
    if ftype in _AGENT_TYPES:
        label = label_of(g, node)
        if label:
            names.append(label)
    agents = list(g.objects(node, PKG.agency))
    if measure is not None:
        agents += list(g.objects(measure, PKG.responsibleAgency))
        if not agents:
            for ob in g.subjects(PKG.measure, measure):
                agents += list(g.objects(ob, PKG.agency))
    for a in _sorted(set(agents)):
        label = label_of(g, a) or _local(a)
        if label not in names:
            names.append(label)
    return names


# ---------------------------------------------------------------------------
# sources: file, offsets, quote


def _file_name(g: Graph, file) -> str | None:
    name = _first(g.objects(file, PKG.fileName))
    return str(name) if name is not None else _n3(file)


def _in_order(sources: Iterable[Source]) -> list[Source]:
    """Without duplicates, by file then offset (one order whatever the triple order)."""
    unique = {(s.file, s.start, s.end, s.quote): s for s in sources}
    return sorted(unique.values(), key=Source.sort_key)


def sources_of_resource(g: Graph, res) -> list[Source]:
    """The source an oa:SpecificResource points at (empty when it has neither file nor selector)."""
    src = Source()
    source = _first(g.objects(res, OA.hasSource))
    if source is not None:
        src.file = _file_name(g, source)
    for sel in _sorted(g.objects(res, OA.hasSelector)):
        start, end, exact = (_first(g.objects(sel, OA.start)), _first(g.objects(sel, OA.end)),
                             _first(g.objects(sel, OA.exact)))
        if start is not None and src.start is None:
            src.start = _int(start)
        if end is not None and src.end is None:
            src.end = _int(end)
        if exact is not None and src.quote is None:
            src.quote = str(exact)
    return [] if src == Source() else [src]


def sources_of(g: Graph, node) -> list[Source]:
    """Every source a node is derived from (prov:wasDerivedFrom)."""
    return _in_order(s for res in g.objects(node, PROV.wasDerivedFrom) for s in sources_of_resource(g, res))


def files_of_work(g: Graph, node) -> list[Source]:
    """The files that carry a work or an expression (a document without quote: its file)."""
    expressions = {node} | set(g.objects(node, ELI.is_realized_by))
    files = set()
    for e in expressions:
        files.update(g.objects(e, ELI.is_embodied_by))
        files.update(g.subjects(ELI.embodies, e))
    return [Source(file=name) for name in sorted(_file_name(g, f) or "" for f in files)]


def quality_sources(g: Graph, file) -> list[Source]:
    """Where a file's quality issues stand (its lost characters first of all)."""
    issues = _sorted(g.objects(file, PKG.qualityIssue))
    lost = [i for i in issues if str(_first(g.objects(i, PKG.issueKind)) or "") == "lost_characters"]
    return _in_order(s for issue in lost or issues for s in sources_of(g, issue))


# ---------------------------------------------------------------------------
# one focus node


@dataclass
class Location:
    """What an auditor needs to find a focus node: its label, place, owners and sources."""

    type: str | None = None
    label: str | None = None
    numbering: str | None = None
    document: str | None = None
    document_iri: str | None = None
    agencies: list[str] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)


def _term(text: str):
    return BNode(text[2:]) if text.startswith("_:") else URIRef(text)


def _document_for(g: Graph, subject, stype: str | None, anchor) -> tuple:
    """(document IRI, document title) of a node: its own title, its agency's plans, or its ancestor's."""
    if stype == "PolicyDocument":
        own = label_of(g, subject, _TITLE_PROPS)
        return (subject, own) if own else document_of(g, subject)
    if stype in _AGENT_TYPES:
        titles = sorted({t for m in measures_of_agency(g, subject) for _, t in [document_of(g, m)] if t})
        return None, "; ".join(titles) or None
    return document_of(g, anchor)


def _untitled(g: Graph, doc_iri, anchor) -> tuple:
    """A document without title is named by its files: "(untitled: 002.txt)"."""
    top = doc_iri if doc_iri is not None else top_work(g, anchor)
    files = files_of_work(g, top) if top is not None else []
    if not files:
        return doc_iri, None
    return doc_iri if doc_iri is not None else top, "(untitled: " + ", ".join(s.file or "?" for s in files) + ")"


def _sources_for(g: Graph, subject, stype: str | None, measure) -> list[Source]:
    """A node's sources, else its measure's; an agency's obligations'; a file's quality issues'."""
    sources = sources_of(g, subject) or (sources_of(g, measure) if measure is not None else [])
    if not sources and stype in _AGENT_TYPES:
        sources = _in_order(s for ob in g.subjects(PKG.agency, subject) for s in sources_of(g, ob))
    if stype == "SourceFile":
        sources = quality_sources(g, subject) or [Source(file=_file_name(g, subject))]
    if not sources and stype in _DOCUMENT_TYPES:
        sources = files_of_work(g, subject)
    return sources


def locate(g: Graph, node) -> Location:
    """Label, numbering, document, agencies and sources of one focus node."""
    ftype = type_of(g, node)
    subject, own_sources = node, None
    if ftype == "SpecificResource" or (node, RDF.type, OA.SpecificResource) in g:
        # a result about a source: show the fact it is the source of, and this source only
        own_sources = sources_of_resource(g, node)
        subject = _first(g.subjects(PROV.wasDerivedFrom, node)) or node
    stype = type_of(g, subject) if subject is not node else ftype
    measure = measure_of(g, subject, stype)
    anchor = measure if measure is not None else subject
    label = label_of(g, anchor)
    if label is None and anchor is not subject:
        label = label_of(g, subject)
    if label is None and stype == "SourceFile":
        name = _first(g.objects(subject, PKG.fileName))
        label = str(name) if name is not None else None
    numbering = _first(g.objects(anchor, PKG.path))
    doc_iri, doc_title = _document_for(g, subject, stype, anchor)
    if doc_title is None and stype in (*_DOCUMENT_TYPES, "Measure", "Obligation", "Figure"):
        doc_iri, doc_title = _untitled(g, doc_iri, anchor)
    return Location(
        type=ftype,
        label=label,
        numbering=str(numbering) if numbering is not None else None,
        document=doc_title,
        document_iri=_n3(doc_iri),
        agencies=agencies_of(g, subject, stype, measure),
        sources=own_sources if own_sources is not None else _sources_for(g, subject, stype, measure),
    )


def enrich(data: Graph, results: list[Result]) -> None:
    """Fill each result's label, numbering, document, agencies and sources from the data."""
    cache: dict[str, Location] = {}
    for r in results:
        where = cache.get(r.focus)
        if where is None:
            where = cache[r.focus] = locate(data, _term(r.focus))
        r.focus_type = where.type
        r.label = where.label
        r.numbering = where.numbering
        r.document = where.document
        r.document_iri = where.document_iri
        r.agencies = list(where.agencies)
        r.sources = list(where.sources)
