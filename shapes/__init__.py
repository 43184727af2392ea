"""SHACL audits of the policykg graph: the shapes (the `*.ttl` files here) and the code that runs them.

Public API:

- `validate(data, shapes_dir=None, inference="none", engine="turbo", ontology=None) -> Report`
  where `data` is an rdflib `Graph` or `Dataset`, a pyoxigraph `Store`, a `policykg.graph.store`
  store, a path to an RDF file or to an embedded store directory, or a list of RDF file paths.
  A store is read as the union of its named graphs (documents, ontology, gazetteer).
- `load_data(data) -> rdflib.Graph`, `load_shapes(shapes_dir=None) -> rdflib.Graph` (every `*.ttl`
  of the directory, default: these shipped shapes).
- `Report` (`.results`, `.conforms`, `.counts`, `.graph`: the standard `sh:ValidationReport`),
  `Result`, `Source`, `SEVERITIES`, `ENGINES`, `INFERENCES`.
- `render(report, fmt) -> str` for `fmt` in `FORMATS` (text, turtle, json, csv, html);
  `MEDIA_TYPES[fmt]`; `summary_line(report)`.
- `ValidateError`: bad input or bad shapes; its message names the file.

The shapes are standard SHACL (Core plus SPARQL-based constraints), so any validator gives the
same results; pySHACL is the reference engine and `pyshacl-turbo` (same API, Rust) the fast one
(`engine="turbo"`); both give the same report, word for word.

One module per concern: `loading` (data, shapes, ontology; offline), `engines`, `enrich`
(results read from the engine's report and looked up in the data), `report` (the model and its
order), `rendering` (the formats), `validator` (the call that ties them).
"""

from __future__ import annotations

from policykg.shapes.engines import ENGINES, INFERENCES
from policykg.shapes.errors import ValidateError
from policykg.shapes.loading import default_shapes_dir, load_data, load_shapes
from policykg.shapes.rendering import FORMATS, MEDIA_TYPES, render, summary_line
from policykg.shapes.report import SEVERITIES, Report, Result, Source
from policykg.shapes.validator import validate

__all__ = [
    "ENGINES", "FORMATS", "INFERENCES", "MEDIA_TYPES", "SEVERITIES", "Report", "Result", "Source",
    "ValidateError", "default_shapes_dir", "load_data", "load_shapes", "render", "summary_line", "validate",
]
