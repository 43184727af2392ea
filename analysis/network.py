"""The agency network, read from the store by SPARQL.

`build_graphs(store)` fetches who owns which measure in which role, with the attributes of
agents (name, jurisdiction, function from the gazetteer, agency or collective), measures
(title, numbering path, plan) and plans (title, jurisdiction), and assembles:

- `bipartite`: agents and measures as nodes (`kind` = "agency" | "collective" | "measure"), an
  edge for each agent that owns a measure, with its `role` ("lead" > "responsible" >
  "inherited": the strongest when the two script texts of a work disagree) and all `roles`;
- `projection`: agencies only (collectives never), an edge between two agencies that own a
  measure together, `weight` = the number of measures they co-own.

The queries match the facts inside each document graph and make them DISTINCT: the default
graph is the union of the document graphs and repeats a fact once per script expression.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import combinations

import networkx as nx

ROLES = ("lead", "responsible", "inherited")
_ROLE_OF = {"Lead": "lead", "CoResponsible": "responsible", "Inherited": "inherited"}
_ROLE_RANK = {r: i for i, r in enumerate(ROLES)}

Progress = Callable[[int, int, str], None]

OWNERSHIP_QUERY = """
SELECT DISTINCT ?agent ?measure ?role WHERE {
  GRAPH ?g { ?ob pkg:agency ?agent ; pkg:measure ?measure ; pkg:role ?role }
}"""

MEASURES_QUERY = """
SELECT DISTINCT ?measure ?plan ?path ?label WHERE {
  GRAPH ?g { ?measure a pkg:Measure ; eli:is_part_of ?plan .
             OPTIONAL { ?measure pkg:path ?path } OPTIONAL { ?measure rdfs:label ?label } }
}"""

AGENTS_QUERY = """
SELECT DISTINCT ?agent ?class ?name ?jurisdiction ?function WHERE {
  { SELECT DISTINCT ?agent ?class WHERE {
      VALUES ?class { pkg:Agency pkg:CollectiveAgent } GRAPH ?g { ?agent a ?class } } }
  OPTIONAL { ?agent skos:prefLabel ?name }
  OPTIONAL { ?agent pkg:jurisdiction ?jurisdiction }
  OPTIONAL { ?agent pkg:function ?function }
}"""

PLANS_QUERY = """
SELECT DISTINCT ?plan ?label ?jurisdiction WHERE {
  GRAPH ?g { ?plan a pkg:PolicyDocument .
             OPTIONAL { ?plan rdfs:label ?label } OPTIONAL { ?plan pkg:jurisdiction ?jurisdiction } }
}"""

NAMES_QUERY = """
SELECT DISTINCT ?thing ?label WHERE {
  { ?thing a pkg:Jurisdiction ; rdfs:label ?label } UNION { ?thing a pkg:AgencyFunction ; skos:prefLabel ?label }
  UNION { ?thing a pkg:Jurisdiction ; pkg:divisionCode ?label }
}"""


@dataclass(frozen=True)
class Agent:
    iri: str
    name: str
    collective: bool
    jurisdiction: str | None = None  # IRI
    function: str | None = None  # IRI of the gazetteer's agency function


@dataclass(frozen=True)
class Measure:
    iri: str
    plan: str  # IRI of the plan (or notice) the measure is part of
    label: str = ""
    path: str = ""


@dataclass(frozen=True)
class Plan:
    iri: str
    label: str
    jurisdiction: str | None = None


@dataclass(frozen=True)
class Ownership:
    agent: str
    measure: str
    role: str  # one of ROLES


@dataclass
class AgencyNetwork:
    agents: dict[str, Agent]
    measures: dict[str, Measure]
    plans: dict[str, Plan]
    ownerships: list[Ownership]
    names: dict[str, str] = field(default_factory=dict)  # jurisdiction and function IRI -> label
    codes: dict[str, str] = field(default_factory=dict)  # jurisdiction IRI -> GB/T 2260 code
    english: dict[str, str] = field(default_factory=dict)  # jurisdiction IRI -> English name
    bipartite: nx.Graph = field(default_factory=nx.Graph)
    projection: nx.Graph = field(default_factory=nx.Graph)
    scope: str | None = None  # the jurisdiction IRI this network is restricted to, None for all

    def jurisdiction_of(self, measure: str) -> str | None:
        m = self.measures.get(measure)
        plan = self.plans.get(m.plan) if m else None
        return plan.jurisdiction if plan else None

    def label(self, iri: str | None) -> str:
        if iri is None:
            return ""
        for table in (self.agents, self.plans):
            if iri in table:
                return table[iri].name if table is self.agents else table[iri].label
        return self.names.get(iri) or _tail(iri)

    def jurisdictions(self) -> list[str]:
        """The jurisdictions that have plans, by label."""
        found = {p.jurisdiction for p in self.plans.values() if p.jurisdiction}
        return sorted(found, key=self.label)

    def find_jurisdiction(self, name: str) -> str:
        """The IRI of a jurisdiction given as IRI, GB/T 2260 code, Chinese or English name
        (武汉, 武汉市, Wuhan, 420100)."""
        wanted = name.strip().lower()
        for j in self.jurisdictions():
            keys = {j.lower(), self.codes.get(j, ""), self.label(j).lower(), self.english.get(j, "").lower()}
            keys |= {k.rstrip("市省") for k in keys if k}
            if wanted in keys or wanted.rstrip("市省") in keys:
                return j
        known = ", ".join(self.label(j) for j in self.jurisdictions()) or "none"
        raise ValueError(f"no plans in a jurisdiction named {name!r} (known: {known})")


def _tail(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _pick(labels: Iterable) -> str:
    """The label to show: Simplified Chinese first, then Traditional, then any."""
    ranked = sorted(labels, key=lambda lit: {"zh-hans": 0, "zh-hant": 1, "zh": 2}.get(
        (getattr(lit, "language", None) or "").lower(), 3))
    return ranked[0].value if ranked else ""


def _rows(store, sparql: str):
    yield from store.query(sparql)


def build_graphs(store, progress: Progress | None = None) -> AgencyNetwork:
    """Fetch the facts from `store` (a `policykg.graph.store.GraphStore`) and assemble the
    bipartite agent–measure graph and the agency projection."""
    steps = ["owners", "measures", "agents", "plans", "names", "graphs"]
    tick = progress or (lambda done, total, label: None)

    tick(0, len(steps), "fetching owners")
    ownerships = {Ownership(r["agent"].value, r["measure"].value, _ROLE_OF.get(_tail(r["role"].value), "responsible"))
                  for r in _rows(store, OWNERSHIP_QUERY)}

    tick(1, len(steps), "fetching measures")
    m_rows: dict[str, dict] = {}
    for r in _rows(store, MEASURES_QUERY):
        entry = m_rows.setdefault(r["measure"].value, {"plan": r["plan"].value, "path": "", "labels": []})
        if r["path"] is not None and not entry["path"]:
            entry["path"] = r["path"].value
        if r["label"] is not None:
            entry["labels"].append(r["label"])
    measures = {iri: Measure(iri, e["plan"], _pick(e["labels"]), e["path"]) for iri, e in m_rows.items()}

    tick(2, len(steps), "fetching agents")
    a_rows: dict[str, dict] = {}
    for r in _rows(store, AGENTS_QUERY):
        e = a_rows.setdefault(r["agent"].value, {"classes": set(), "names": [], "j": None, "f": None})
        e["classes"].add(_tail(r["class"].value))
        if r["name"] is not None:
            e["names"].append(r["name"])
        e["j"] = e["j"] or (r["jurisdiction"].value if r["jurisdiction"] is not None else None)
        e["f"] = e["f"] or (r["function"].value if r["function"] is not None else None)
    # a collective is never an agency, whatever else it is typed
    agents = {iri: Agent(iri, _pick(e["names"]) or _tail(iri), "CollectiveAgent" in e["classes"], e["j"], e["f"])
              for iri, e in a_rows.items()}

    tick(3, len(steps), "fetching plans")
    p_rows: dict[str, dict] = {}
    for r in _rows(store, PLANS_QUERY):
        e = p_rows.setdefault(r["plan"].value, {"labels": [], "j": None})
        if r["label"] is not None:
            e["labels"].append(r["label"])
        e["j"] = e["j"] or (r["jurisdiction"].value if r["jurisdiction"] is not None else None)
    plans = {iri: Plan(iri, _pick(e["labels"]) or _tail(iri), e["j"]) for iri, e in p_rows.items()}

    tick(4, len(steps), "fetching names")
    labels: dict[str, list] = defaultdict(list)
    codes: dict[str, str] = {}
    english: dict[str, str] = {}
    for r in _rows(store, NAMES_QUERY):
        lit = r["label"]
        lang = (getattr(lit, "language", None) or "").lower()
        if not lang:
            codes[r["thing"].value] = lit.value
        elif lang == "en":
            english[r["thing"].value] = lit.value
        if lang.startswith("zh"):
            labels[r["thing"].value].append(lit)
    names = {iri: _pick(ls) for iri, ls in labels.items()}
    for iri, en in english.items():
        names.setdefault(iri, en)

    tick(5, len(steps), "building graphs")
    network = AgencyNetwork(agents, measures, plans, sorted(ownerships, key=lambda o: (o.agent, o.measure, o.role)),
                            names, codes, english)
    assemble(network)
    tick(len(steps), len(steps), "done")
    return network


def assemble(network: AgencyNetwork) -> AgencyNetwork:
    """(Re)build `network.bipartite` and `network.projection` from its facts."""
    b = nx.Graph()
    for o in network.ownerships:
        agent = network.agents.get(o.agent) or Agent(o.agent, _tail(o.agent), False)
        network.agents.setdefault(o.agent, agent)
        measure = network.measures.get(o.measure)
        if not b.has_node(o.agent):
            b.add_node(o.agent, kind="collective" if agent.collective else "agency", bipartite=0,
                       name=agent.name, jurisdiction=agent.jurisdiction, function=agent.function)
        if not b.has_node(o.measure):
            b.add_node(o.measure, kind="measure", bipartite=1, plan=measure.plan if measure else None,
                       jurisdiction=network.jurisdiction_of(o.measure))
        if b.has_edge(o.agent, o.measure):
            roles = b.edges[o.agent, o.measure]["roles"]
            roles.add(o.role)
            b.edges[o.agent, o.measure]["role"] = min(roles, key=_ROLE_RANK.__getitem__)
        else:
            b.add_edge(o.agent, o.measure, role=o.role, roles={o.role})
    network.bipartite = b

    p = nx.Graph()
    owners_of: dict[str, set[str]] = defaultdict(set)
    for o in network.ownerships:
        if not network.agents[o.agent].collective:
            owners_of[o.measure].add(o.agent)
            if not p.has_node(o.agent):
                p.add_node(o.agent, **{k: v for k, v in b.nodes[o.agent].items() if k != "bipartite"})
    weights: Counter = Counter()
    for owners in owners_of.values():
        weights.update(combinations(sorted(owners), 2))
    for (a, c), w in weights.items():
        p.add_edge(a, c, weight=w, distance=1.0 / w)
    network.projection = p
    return network


def restrict(network: AgencyNetwork, jurisdiction: str) -> AgencyNetwork:
    """The network of the measures of plans in one jurisdiction (an IRI, see
    `AgencyNetwork.find_jurisdiction`)."""
    return split(network, [jurisdiction])[jurisdiction]


def split(network: AgencyNetwork, jurisdictions: Iterable[str] | None = None) -> dict[str, AgencyNetwork]:
    """One network per jurisdiction (all of them by default), in one pass over the facts."""
    wanted = set(network.jurisdictions() if jurisdictions is None else jurisdictions)
    parts: dict[str, dict] = {j: {"plans": {}, "measures": {}, "ownerships": []} for j in wanted}
    for i, p in network.plans.items():
        if p.jurisdiction in parts:
            parts[p.jurisdiction]["plans"][i] = p
    for i, m in network.measures.items():
        j = network.jurisdiction_of(i)
        if j in parts:
            parts[j]["measures"][i] = m
    for o in network.ownerships:
        j = network.jurisdiction_of(o.measure)
        if j in parts:
            parts[j]["ownerships"].append(o)
    out = {}
    for j, part in parts.items():
        agents = {o.agent: network.agents[o.agent] for o in part["ownerships"]}
        out[j] = assemble(AgencyNetwork(agents, part["measures"], part["plans"], part["ownerships"], network.names,
                                        network.codes, network.english, scope=j))
    return out
