"""Extraction records -> RDF, and the RDF store.

Public API (names are stable; other parts of the project build on them):

- `policykg.graph.namespaces`: `PKG` (ontology namespace, prefix `pkg:`), `BASE` (default data
  base `https://w3id.org/policykg/id/`), `PREFIXES` (prefix -> IRI dict), `ONTOLOGY_GRAPH`,
  `meta_graph(base)`, `gazetteer_graph(base)`, `document_graph(file_name, base)`.
- `policykg.graph.ontology.ontology_graph()`: the shipped OWL ontology (`ontology/policykg.ttl`)
  as an rdflib Graph; `ontology_path()` its file.
- `policykg.graph.build.build_document(record, text=None, base=None) -> rdflib.Graph`: the RDF
  of one extraction record (a `policykg.loaders.Record`, one source document), without the
  inferred shortcuts; `text` is the decoded file text (read with
  `policykg.loaders.read_text(record.path)` when omitted) and is what `oa:exact` quotes are
  sliced from. `build.ROLE_TERMS` maps each `Role` to its ontology term (one place).
- `policykg.graph.infer.infer_shortcuts(graph, ontology=None) -> rdflib.Graph`: the triples of
  `pkg:responsibleAgency`, `pkg:leadAgency`, `pkg:owns` entailed (OWL 2 RL, owlrl) by the
  ontology axioms from the obligations in `graph`.
- `policykg.graph.store.open_store(path=None, endpoint=None, memory=False, update_endpoint=None,
  read_only=False, token=None)` (`token`, default env POLICYKG_UPDATE_TOKEN: Bearer for updates):
  a `GraphStore` with `.query(sparql)` (pyoxigraph results: `QuerySolutions`, `QueryBoolean`
  or an iterable of `Triple`; the default graph is the union of the named graphs; our prefixes
  are predeclared), `.update(sparql)`, `.replace_graph(name, ntriples)` (atomic),
  `.load_version()`, `.dump(fmt, out)`, `.graphs()`, `.close()`; `.oxigraph` is the underlying
  `pyoxigraph.Store` for the embedded and in-memory stores (None for a remote endpoint).
- `policykg.graph.load.load_paths(paths, store, base=None, progress=None) -> LoadSummary`:
  what `policykg load` does (extract, build, infer, replace each document's graph atomically).
- `policykg.graph.query`: `read_query(text_or_@file)`, `run_query(store, sparql, fmt, out)`,
  `format_table(results)` (what `policykg query` prints).
- `policykg.graph.store.DEFAULT_STORE`: the one default store directory (`data/store`).

Named graphs: one per source document (`{base}graph/doc/{file}`), the ontology in
`https://w3id.org/policykg/ontology`, the gazetteer (agency functions, jurisdictions) in
`{base}graph/gazetteer`, the load version in `{base}graph/meta`.
Oxigraph's union default graph does not remove duplicates: a triple stated in two document
graphs (e.g. a measure present in both the zh-Hans and zh-Hant file) is seen twice; use
`SELECT DISTINCT` / `COUNT(DISTINCT ...)`. Oxigraph returns language tags lower-cased (`zh-hans`):
compare with LANGMATCHES. The IRI scheme and the vocabulary are described in README.md ("The knowledge graph").
"""
