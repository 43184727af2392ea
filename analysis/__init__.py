"""Who-owns-what analytics: the agency network of the store (networkx over SPARQL results).

Public API:

- `build_graphs(store, progress=None) -> AgencyNetwork`: agents, measures, plans and who owns
  what in which role, fetched by SPARQL; `.bipartite` (agent–measure graph) and `.projection`
  (agencies only, edge weight = co-owned measures). `restrict(network, jurisdiction_iri)`.
- `metrics(network, jurisdiction=None, max_owners=5, topic=None, progress=None) -> Metrics`:
  obligations per agency by role, weighted degree, betweenness, Louvain communities with their
  dominant plans, collectives on their own, measures owned only by collectives, diffused
  (more than `max_owners` agencies) and leaderless measures, functions across cities, and a
  summary per jurisdiction.
- `render_table(m)`, `render_json(m)`, `render_csv(m, table)`; `to_rdf(m)`, `write_rdf(store, m)`
  into the named graph `analysis_graph(base)`; `plot(network, m, path)` (PNG or SVG).

Agencies and collectives (pkg:CollectiveAgent: 各区人民政府, 市各相关部门) are kept apart in every
metric. Imports `policykg.graph` only.
"""

from .metrics import Metrics, metrics
from .network import AgencyNetwork, build_graphs, restrict
from .plot import plot
from .rdf import analysis_graph, to_rdf, write_rdf
from .render import TABLES, render_csv, render_json, render_table, to_dict

__all__ = ["AgencyNetwork", "Metrics", "TABLES", "analysis_graph", "build_graphs", "metrics", "plot",
           "render_csv", "render_json", "render_table", "restrict", "to_dict", "to_rdf", "write_rdf"]
