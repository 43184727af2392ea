"""Loading what validation reads: the data (files, stores, graphs), the shapes and the ontology.

Validation never reaches the network and never expands XML entities: a JSON-LD file whose
`@context` (or `@import`) names a remote document, an RDF/XML file that declares entities or an
external DTD, and a shape whose SPARQL calls `SERVICE` are refused with a `ValidateError` that
names the file, instead of being fetched or expanded (a validator is run on files from elsewhere).
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from policykg.shapes.errors import ValidateError, one_line
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import SH

RDF_FORMATS = {
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


def format_for(path: Path) -> str:
    """rdflib's format name for a file, from its extension."""
    suffixes = "".join(path.suffixes[-2:]).lower()
    for ext, fmt in RDF_FORMATS.items():
        if suffixes.endswith(ext):
            return fmt
    raise ValidateError(f"{path}: unknown RDF file type (expected one of {', '.join(sorted(RDF_FORMATS))})")


# ---------------------------------------------------------------------------
# parsing one file, offline


def _remote_contexts(node: Any) -> list[str]:
    """Every context reference in a JSON-LD document that a processor would fetch."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "@context":
                for ctx in value if isinstance(value, list) else [value]:
                    if isinstance(ctx, str):
                        found.append(ctx)
            elif key == "@import" and isinstance(value, str):
                found.append(value)
            found += _remote_contexts(value)
    elif isinstance(node, list):
        for item in node:
            found += _remote_contexts(item)
    return found


def _check_jsonld(path: Path) -> None:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidateError(f"{path}: not valid json-ld: {one_line(exc)}") from None
    remote = _remote_contexts(doc)
    if remote:
        raise ValidateError(f"{path}: the JSON-LD @context refers to {remote[0]!r}; validation does not fetch "
                            "remote contexts: inline the context in the file")


class _PrologRead(Exception):
    """The root element is reached: no DOCTYPE can follow."""


def _check_rdfxml(path: Path) -> None:
    """Refuse entity declarations and external DTDs before rdflib's parser could expand them."""
    from xml.parsers import expat

    def entity(name, *_args):
        raise ValidateError(f"{path}: the RDF/XML declares the entity {name!r}; validation does not expand XML "
                            "entities (they can exhaust memory or read other files): write the text out")

    def doctype(_name, system_id, _public_id, _internal_subset):
        if system_id:
            raise ValidateError(f"{path}: the RDF/XML refers to the external DTD {system_id!r}; validation does "
                                "not read external DTDs")

    def root(_name, _attrs):
        raise _PrologRead

    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.EntityDeclHandler = entity
    parser.StartDoctypeDeclHandler = doctype
    parser.StartElementHandler = root
    with path.open("rb") as f:
        try:
            parser.ParseFile(f)
        except _PrologRead:
            return
        except expat.ExpatError as exc:
            raise ValidateError(f"{path}: not valid xml: {one_line(exc)}") from None


def parse_file(graph: Graph, path: Path, fmt: str | None = None) -> None:
    """Parse one RDF file into `graph`, offline (see the module comment); errors name the file."""
    fmt = fmt or format_for(path)
    if fmt == "json-ld":
        _check_jsonld(path)
    elif fmt == "xml":
        _check_rdfxml(path)
    try:
        with warnings.catch_warnings():
            # rdflib's JSON-LD, TriG and N-Quads parsers use its own deprecated API (warned from rdflib's
            # modules; a deprecated call of ours would still be shown, as it is warned from our module)
            warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"rdflib\.")
            if fmt in ("nquads", "trig") or not getattr(graph, "context_aware", False):
                graph.parse(path, format=fmt)
            else:  # triples into a dataset: its default graph
                graph.default_graph.parse(path, format=fmt)
    except Exception as exc:  # rdflib raises many kinds
        raise ValidateError(f"{path}: not valid {fmt}: {one_line(exc)}") from None


# ---------------------------------------------------------------------------
# shapes and ontology


def default_shapes_dir() -> Path:
    """The shapes shipped with policykg (the Turtle files beside this module)."""
    return Path(str(resources.files("policykg.shapes")))


def shape_files(shapes_dir: str | Path | None = None) -> list[Path]:
    """The `*.ttl` files of a shapes directory (or the one file given), in name order."""
    directory = Path(shapes_dir) if shapes_dir is not None else default_shapes_dir()
    if not directory.exists():
        raise ValidateError(f"{directory}: no such shapes directory")
    if directory.is_file():
        return [directory]
    files = sorted(directory.glob("*.ttl"))
    if not files:
        raise ValidateError(f"{directory}: no shapes (*.ttl) in this directory")
    return files


# `SERVICE <iri>`, `SERVICE ?var`, `SERVICE SILENT …`: a federated call would leave the machine.
_SERVICE = re.compile(r"\bSERVICE\s+(SILENT\s+)?[<?$]", re.IGNORECASE)


def _refuse_federated_queries(shapes: Graph, path: Path) -> None:
    for prop in (SH.select, SH.ask, SH.construct, SH.update):
        for query in shapes.objects(None, prop):
            if _SERVICE.search(str(query)):
                raise ValidateError(f"{path}: a SPARQL constraint calls SERVICE; validation does not query "
                                    "other endpoints")


def load_shape_file(path: Path) -> Graph:
    """One shapes file; a file that does not parse or calls SERVICE is named."""
    graph = Graph()
    try:
        graph.parse(path, format="turtle")
    except Exception as exc:  # rdflib raises many kinds
        raise ValidateError(f"{path}: not valid Turtle: {one_line(exc)}") from None
    _refuse_federated_queries(graph, path)
    return graph


def load_shapes(shapes_dir: str | Path | None = None) -> Graph:
    """All shape files of the directory (default: the shipped ones) in one graph."""
    shapes = Graph()
    for path in shape_files(shapes_dir):
        shapes += load_shape_file(path)
    return shapes


def default_ontology_file() -> Path | None:
    """The shipped OWL ontology (`ontology/policykg.ttl`), if installed."""
    try:
        path = Path(str(resources.files("policykg.ontology"))) / "policykg.ttl"
    except ModuleNotFoundError:  # pragma: no cover - installed without ontology
        return None
    return path if path.is_file() else None


def load_ontology(ontology: str | Path | Graph | None = None) -> Graph | None:
    """The ontology inference reads: a Graph as given, a file, or the shipped one."""
    if isinstance(ontology, Graph):
        return ontology
    path = Path(ontology) if ontology is not None else default_ontology_file()
    if path is None:
        return None
    if not path.is_file():
        raise ValidateError(f"{path}: no such ontology file")
    graph = Graph()
    parse_file(graph, path)
    return graph


# ---------------------------------------------------------------------------
# data


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
        raise ValidateError(f"{directory}: cannot open the store: {one_line(exc)}") from None


def _union(graph: Graph) -> Graph:
    """A Dataset as the union of its graphs (what the shapes are written against)."""
    if not getattr(graph, "context_aware", False):
        return graph
    flat = Graph()
    for s, p, o, _ in graph.quads((None, None, None, None)):
        flat.add((s, p, o))
    for prefix, ns in graph.namespaces():
        flat.bind(prefix, ns, override=False)
    return flat


def _load_files(paths: Sequence[Path]) -> Graph:
    from rdflib import Dataset

    if not paths:
        raise ValidateError("no data: give RDF files or a store")
    dataset = Dataset()
    for path in paths:
        if path.is_dir():
            raise ValidateError(f"{path}: is a directory (use --store for a store)")
        if not path.is_file():
            raise ValidateError(f"{path}: no such file")
        parse_file(dataset, path)
    return _union(dataset)


def load_data(data) -> Graph:
    """Any accepted input as one rdflib Graph (the union of its named graphs).

    `data`: an rdflib `Graph` or `Dataset`, a pyoxigraph `Store`, a
    `policykg.graph.store` store (its `.oxigraph`), a path to an RDF file or to an embedded
    store directory, or a list of RDF file paths.
    """
    if isinstance(data, Graph):
        return _union(data)
    if type(data).__module__.startswith("pyoxigraph"):
        return store_to_graph(data)
    if getattr(data, "oxigraph", None) is not None:  # policykg.graph.store's embedded store
        return store_to_graph(data.oxigraph)
    if isinstance(data, (str, Path)):
        path = Path(data)
        if path.is_dir():
            return store_to_graph(open_store(path))
        return _load_files([path])
    if isinstance(data, Iterable):
        return _load_files([Path(p) for p in data])
    raise ValidateError(f"cannot validate a {type(data).__name__}")
