"""`policykg load`: texts or records -> RDF -> the store, one document at a time.

Each document becomes one named graph (`namespaces.document_graph(file name)`): its triples
plus the inferred shortcuts (`infer.Reasoner`, the ontology's axioms compiled once to SPARQL and
run over a batch of documents, each closed on its own). Documents are written a batch at a time
(`store.write_graphs`): each graph is replaced as a whole, complete or absent even if the process
is killed mid-write; a document that fails to read or build leaves its graph as it was, and the
others still load. A text already loaded under another file name (same SHA-256) is loaded once:
the second file's graph only adds its file name to the shared source-file node.
"""

from __future__ import annotations

import hashlib
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from policykg.graph.build import BuildError, add_jurisdiction, build_document_with_stats
from policykg.graph.namespaces import (
    ONTOLOGY_GRAPH,
    PKG,
    document_graph,
    gazetteer_graph,
    normalise_base,
)
from policykg.loaders import (
    DEFAULT_MAX_BYTES,
    ExtractionError,
    QualityKind,
    Record,
    RecordError,
    extract_source,
    file_on_disk,
    printable_path,
    read_file_bytes,
    read_source,
)
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SKOS


@dataclass
class LoadSummary:
    documents: int = 0
    failed: int = 0
    measures: int = 0
    agencies: int = 0
    obligations: int = 0
    figures: int = 0
    triples: int = 0  # triples written for the loaded documents (inferred ones included)
    inferred: int = 0
    seconds: float = 0.0
    inference_seconds: float = 0.0
    errors: list[str] = field(default_factory=list)
    graphs: list[str] = field(default_factory=list)

    def line(self) -> str:
        failed = f", {self.failed} failed" if self.failed else ""
        return (
            f"loaded {self.documents} documents{failed}: {self.measures} measures, {self.agencies} agencies, "
            f"{self.obligations} obligations, {self.figures} figures, {self.triples} triples "
            f"({self.inferred} inferred) in {self.seconds:.2f} s (inference {self.inference_seconds:.2f} s)"
        )


@dataclass
class _Input:
    label: str  # what error messages name
    path: Path | None = None  # a text file to extract
    record: Record | None = None  # a record read from a .jsonl file
    base_dir: Path | None = None  # where a record's relative path is resolved
    error: str | None = None


def iter_inputs(paths: Iterable[str | Path], max_bytes: int | None = None) -> Iterator[_Input]:
    """Text files as given, directories (every regular *.txt inside, sorted), .jsonl record files
    (one input per line). Labels are printable (a GBK file name is decoded, see
    `policykg.loaders.printable_path`); a record file is read only when it is a regular file."""
    for raw in paths:
        p = Path(raw)
        name = printable_path(p.name)[0]
        if p.is_dir():
            files = sorted(x for x in p.rglob("*.txt") if x.is_file())
            if not files:
                yield _Input(name, error=f"{printable_path(p)[0]}: no .txt files in this directory")
            for f in files:
                yield _Input(printable_path(f.name)[0], path=f)
        elif p.suffix.lower() == ".jsonl":
            try:
                # records run to some 10 times their text: the limit scales with them
                data = read_file_bytes(p, 10 * (max_bytes or DEFAULT_MAX_BYTES), what="record file")
                lines = data.decode("utf-8").splitlines()
            except ExtractionError as exc:
                yield _Input(name, error=f"{name}: cannot read records: {str(exc).removeprefix(name + ': ')}")
                continue
            except UnicodeDecodeError as exc:
                yield _Input(name, error=f"{name}: cannot read records: not UTF-8 ({exc.reason} at byte {exc.start})")
                continue
            for i, line in enumerate(lines, 1):
                if not line.strip():
                    continue
                try:
                    rec = Record.from_json(line)
                except RecordError as exc:
                    yield _Input(f"{name}:{i}", error=f"{name}:{i}: {exc}")
                    continue
                yield _Input(rec.file or f"{name}:{i}", record=rec, base_dir=p.parent)
        elif p.exists() or p.is_symlink():
            yield _Input(name, path=p)
        else:
            yield _Input(name, error=f"{printable_path(p)[0]}: no such file or directory")


def _record_and_text(inp: _Input, max_bytes: int | None = None) -> tuple[Record, str]:
    """The record and the text its offsets point into: one read of a text file (a regular file
    within `max_bytes`), or a record's source file found and checked against its SHA-256."""
    if inp.record is None:
        source = read_source(inp.path, max_bytes)
        return extract_source(source), source.text
    rec = inp.record
    src = rec.path or rec.file
    if not src:
        raise BuildError(f"{inp.label}: the record names no source file (path)")
    p = file_on_disk(src)
    if not p.is_absolute() and not p.exists() and inp.base_dir is not None:
        p = file_on_disk(inp.base_dir / src)
    if not p.exists():
        raise BuildError(f"{inp.label}: source file {src} not found")
    source = read_source(p, max_bytes)
    if rec.sha256 and source.sha256 != rec.sha256:
        raise BuildError(f"{inp.label}: {src} has changed since it was extracted (SHA-256 differs)")
    return rec, source.text


def gazetteer_rdf(base: str | None = None) -> Graph:
    """The agency-function scheme and the known jurisdictions, as SKOS / pkg: triples."""
    from policykg.graph import gazetteer
    from policykg.graph.iris import Minter
    from rdflib import Literal
    from rdflib.namespace import RDFS

    mint = Minter(normalise_base(base))
    g = Graph()
    scheme = URIRef(mint.function_scheme())
    g.add((scheme, RDF.type, SKOS.ConceptScheme))
    g.add((scheme, RDFS.label, Literal("agency functions", lang="en")))
    g.add((scheme, RDFS.label, Literal("部门职能分类", lang="zh-Hans")))
    for f in gazetteer.functions():
        c = URIRef(mint.function(f.id))
        g.add((c, RDF.type, PKG.AgencyFunction))
        g.add((c, RDF.type, SKOS.Concept))
        g.add((c, SKOS.inScheme, scheme))
        g.add((c, SKOS.topConceptOf, scheme))
        g.add((scheme, SKOS.hasTopConcept, c))
        g.add((c, SKOS.notation, Literal(f.id)))
        for lab, lang in ((f.en, "en"), (f.zh, "zh-Hans")):
            g.add((c, SKOS.prefLabel, Literal(lab, lang=lang)))
            g.add((c, RDFS.label, Literal(lab, lang=lang)))
        for v in f.variants:
            g.add((c, SKOS.hiddenLabel, Literal(v, lang="zh-Hans")))
    seen = set()
    for j in gazetteer.jurisdictions().values():
        if j.slug in seen:
            continue
        seen.add(j.slug)
        add_jurisdiction(g, mint, j)
    return g


def _has_digest(store, graph: str, digest: str) -> bool:
    q = f'ASK {{ GRAPH <{graph}> {{ <{graph}> <http://purl.org/dc/terms/identifier> "{digest}" }} }}'
    return bool(store.query(q))


def ensure_schema(store, base: str | None = None) -> int:
    """Write the ontology graph and the gazetteer graph unless the store already holds these very
    versions (each graph carries `<graph> dcterms:identifier "sha256:…"` of its source), so
    reloading leaves them, blank nodes included, untouched. Returns the triples written."""
    from policykg.graph.ontology import ontology_ntriples, ontology_path

    written = 0
    onto_digest = "sha256:" + hashlib.sha256(ontology_path().read_bytes()).hexdigest()
    if not _has_digest(store, ONTOLOGY_GRAPH, onto_digest):
        onto = ontology_ntriples() + f'<{ONTOLOGY_GRAPH}> <http://purl.org/dc/terms/identifier> "{onto_digest}" .\n'
        store.replace_graph(ONTOLOGY_GRAPH, onto)
        written += onto.count("\n")
    gaz = gazetteer_rdf(base).serialize(format="nt")
    name = gazetteer_graph(base)
    lines = sorted(set(gaz.splitlines()) - {""})
    gaz_digest = "sha256:" + hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()
    if not _has_digest(store, name, gaz_digest):
        gaz += f'<{name}> <http://purl.org/dc/terms/identifier> "{gaz_digest}" .\n'
        store.replace_graph(name, gaz)
        written += gaz.count("\n")
    return written


#: documents built, inferred and written together: bounds the memory of a load whatever its size
BATCH_DOCUMENTS = 100


@dataclass
class _Built:
    label: str
    name: str  # the document's graph
    graph: Graph
    alias_of: str | None = None  # same text (SHA-256) already loaded under this label / graph


class _Counter:
    """Distinct IRIs seen, kept as 64-bit hashes so a 10,000-document load stays small."""

    def __init__(self) -> None:
        self.seen: set[int] = set()

    def update(self, nodes) -> None:
        self.seen.update(hash(str(n)) for n in nodes)

    def __len__(self) -> int:
        return len(self.seen)


def _loaded_elsewhere(store, sha256: str, name: str) -> str | None:
    """The graph (other than `name`) that already holds the document with this SHA-256."""
    q = (f'SELECT ?g WHERE {{ GRAPH ?g {{ ?f <{PKG}sha256> "{sha256}" }} FILTER(?g != <{name}>) }} LIMIT 1')
    for row in store.query(q):
        return row["g"].value
    return None


def _alias_graph(g: Graph) -> Graph:
    """What a second copy of a text adds: its file name on the (shared) source-file node. Every
    other triple is already in the first copy's graph, and stating it twice would make every match
    of the union default graph come back once per copy."""
    alias = Graph()
    for f in g.subjects(RDF.type, PKG.SourceFile):
        for p in (PKG.fileName, RDFS.label):
            for o in g.objects(f, p):
                alias.add((f, p, o))
    return alias


def _write_batch(store, batch: list[_Built], summary: LoadSummary) -> None:
    """Infer the shortcuts of a batch of documents (each on its own) and write their graphs."""
    from policykg.graph.infer import default_reasoner

    full = [b for b in batch if b.alias_of is None]
    ti = time.perf_counter()
    inferred = default_reasoner().infer_many([b.graph for b in full])
    summary.inference_seconds += time.perf_counter() - ti
    for b, extra in zip(full, inferred, strict=True):
        b.graph += extra
        summary.inferred += len(extra)
    store.write_graphs([(b.name, b.graph.serialize(format="nt")) for b in batch])


def load_paths(
    paths: Iterable[str | Path],
    store,
    base: str | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    errors: Callable[[str], None] | None = None,
    max_bytes: int | None = None,
    batch_documents: int = BATCH_DOCUMENTS,
) -> LoadSummary:
    """Load texts / directories / .jsonl record files into `store`; see the module docstring.
    `max_bytes`: the largest text file read (None: `policykg.loaders.DEFAULT_MAX_BYTES`).

    Documents are built one by one and written `batch_documents` at a time (inference over the
    batch, one bulk write); a document whose text (SHA-256) was already loaded under another file
    name adds only that file name (a warning says so)."""
    t0 = time.perf_counter()
    report = errors or (lambda msg: print(f"policykg load: error: {msg}", file=sys.stderr))
    summary = LoadSummary()
    inputs = list(iter_inputs(paths, max_bytes))
    ensure_schema(store, base)
    measures, agencies, obligations, figures = _Counter(), _Counter(), _Counter(), _Counter()
    graph_names: dict[str, str] = {}
    texts: dict[str, str] = {}  # SHA-256 -> label of the first file with that text, this run
    batch: list[_Built] = []

    def flush() -> None:
        try:
            _write_batch(store, batch, summary)
        except Exception as exc:  # noqa: BLE001 - a failed write fails its batch, not the load
            for b in batch:
                msg = f"{b.label}: cannot write its graph: {exc}"
                summary.failed += 1
                summary.documents -= 1
                summary.graphs.remove(b.name)
                summary.errors.append(msg)
                report(msg)
        batch.clear()

    for i, inp in enumerate(inputs):
        if progress:
            progress(i, len(inputs), inp.label)
        if inp.error:
            summary.failed += 1
            summary.errors.append(inp.error)
            report(inp.error)
            continue
        try:
            rec, text = _record_and_text(inp, max_bytes)
            g, _stats, warnings = build_document_with_stats(rec, text, base)
            name = document_graph(rec.file or inp.label, base)
            if name in graph_names:
                report(f"{inp.label}: replaces the graph of {graph_names[name]} loaded earlier in this run (same file name)")
            alias = texts.get(rec.sha256) or _loaded_elsewhere(store, rec.sha256, name)
        except Exception as exc:  # noqa: BLE001 - one bad document must not stop the others
            msg = str(exc)
            if inp.label not in msg:
                msg = f"{inp.label}: {msg}"
            summary.failed += 1
            summary.errors.append(msg)
            report(msg)
            continue
        if any(q.kind == QualityKind.NOT_POLICY_TEXT for q in rec.quality):
            warnings = [f"{inp.label}: no measure, no numbered item, no title, no responsibility clause: not recognisably a policy document "
                        f"(loaded, flagged {QualityKind.NOT_POLICY_TEXT.value})", *warnings]
        for w in warnings:
            report(f"warning: {w}")
        if alias:
            report(f"warning: {inp.label}: same text (SHA-256) as {alias}, loaded once; "
                   f"its graph only adds this file name")
        else:
            texts[rec.sha256] = inp.label
        if name in graph_names:  # the later file wins, as a later load would
            for j, b in enumerate(batch):
                if b.name == name:
                    del batch[j]
                    summary.documents -= 1
                    summary.graphs.remove(name)
                    break
        graph_names[name] = inp.label
        batch.append(_Built(inp.label, name, _alias_graph(g) if alias else g, alias))
        summary.documents += 1
        summary.graphs.append(name)
        summary.triples += len(g) if not alias else len(batch[-1].graph)
        if not alias:
            measures.update(g.subjects(RDF.type, PKG.Measure))
            agencies.update(g.subjects(RDF.type, PKG.Agency))
            agencies.update(g.subjects(RDF.type, PKG.CollectiveAgent))
            obligations.update(g.subjects(RDF.type, PKG.Obligation))
            figures.update(g.subjects(RDF.type, PKG.Figure))
        if len(batch) >= batch_documents:
            flush()
    flush()
    if progress:
        progress(len(inputs), len(inputs), "")
    if hasattr(store, "flush"):
        store.flush()
    summary.triples += summary.inferred
    summary.measures, summary.agencies = len(measures), len(agencies)
    summary.obligations, summary.figures = len(obligations), len(figures)
    summary.seconds = time.perf_counter() - t0
    return summary
