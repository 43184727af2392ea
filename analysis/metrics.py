"""Who carries the load and who must work together: metrics of an `AgencyNetwork`.

Agencies and collectives (各区人民政府, 市各相关部门) are counted apart everywhere: only agencies are
nodes of the projection, so only they have a degree, a betweenness or a community; collectives
get their own table, and the measures they alone own are reported as a share.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

import networkx as nx
from policykg.graph.gazetteer import name_key

from .network import ROLES, AgencyNetwork, Progress, restrict, split

#: betweenness is exact in a connected part of up to this many agencies, estimated from a quarter
#: of its agencies as sources above it
EXACT_BETWEENNESS_LIMIT = 2000
COMMUNITY_SEED = 17


@dataclass
class AgencyRow:
    iri: str
    name: str
    jurisdiction: str
    function: str
    lead: int
    responsible: int
    inherited: int
    measures: int  # distinct measures in any role
    plans: int
    partners: int = 0  # agencies it co-owns at least one measure with
    weighted_degree: int = 0  # co-owned measures summed over partners
    betweenness: float = 0.0
    community: int | None = None


@dataclass
class CollectiveRow:
    iri: str
    name: str
    jurisdiction: str
    lead: int
    responsible: int
    inherited: int
    measures: int
    plans: int
    sole_owner: int  # measures that only collectives own, this one among them


@dataclass
class CommunityRow:
    id: int
    size: int
    members: list[str]  # names, biggest owners first
    measures: int  # distinct measures its members own
    dominant_plans: list[tuple[str, int]]  # (plan title, measures of the plan its members own)
    member_iris: list[str] = field(default_factory=list)
    plan_iris: list[str] = field(default_factory=list)


@dataclass
class MeasureRow:
    iri: str
    label: str
    plan: str
    path: str
    agencies: int
    collectives: int
    leads: list[str]


@dataclass
class FunctionRow:
    function: str
    function_iri: str
    jurisdiction: str
    agencies: list[str]
    measures: int  # measures of the jurisdiction's plans owned by agencies with this function
    lead: int
    share: float  # of the jurisdiction's owned measures (within the topic, when one is given)


@dataclass
class Summary:
    scope: str
    plans: int
    measures: int
    owned_measures: int
    unowned_measures: int
    agencies: int
    collectives: int
    obligations: int  # distinct (agent, measure, role)
    collective_only: int
    collective_only_share: float
    diffused: int
    leaderless: int
    communities: int
    modularity: float
    iri: str | None = None  # the jurisdiction's IRI (None: all plans)


@dataclass
class Metrics:
    summary: Summary
    agencies: list[AgencyRow]
    collectives: list[CollectiveRow]
    communities: list[CommunityRow]
    diffused: list[MeasureRow]
    leaderless: list[MeasureRow]
    functions: list[FunctionRow]
    jurisdictions: list[Summary] = field(default_factory=list)
    max_owners: int = 5
    topic: str | None = None
    betweenness_sources: int | None = None  # None: exact


def metrics(network: AgencyNetwork, jurisdiction: str | None = None, max_owners: int = 5,
            topic: str | None = None, progress: Progress | None = None,
            per_jurisdiction: bool = True) -> Metrics:
    """The metrics of the whole network, or of one jurisdiction's plans (a name, code or IRI).

    `max_owners`: a measure with more agencies than this is listed as diffused responsibility.
    `topic`: restrict the cross-city function table to measures whose title contains this text
    (either script), e.g. 融资 for the finance regulator's share of financing measures."""
    tick = progress or (lambda done, total, label: None)
    scope = network
    if jurisdiction:
        scope = restrict(network, network.find_jurisdiction(jurisdiction))
    tick(0, 4, "counting obligations")
    agencies, collectives = _owner_rows(scope)
    tick(1, 4, "centrality")
    sources = _centrality(scope, agencies)
    tick(2, 4, "communities")
    communities, modularity = _communities(scope, agencies)
    tick(3, 4, "measures")
    diffused, leaderless = _measure_rows(scope, max_owners)
    functions = _functions(scope, topic)
    summary = _summary(scope, len(communities), modularity, diffused, leaderless)
    per = []
    if per_jurisdiction and not jurisdiction:
        for sub in sorted(split(network).values(), key=lambda n: network.label(n.scope)):
            d, lead_less = _measure_rows(sub, max_owners)
            groups, q = _communities(sub, _owner_rows(sub)[0])
            per.append(_summary(sub, len(groups), q, d, lead_less))
    tick(4, 4, "done")
    return Metrics(summary, agencies, collectives, communities, diffused, leaderless, functions, per,
                   max_owners, topic, sources)


def _owner_rows(net: AgencyNetwork) -> tuple[list[AgencyRow], list[CollectiveRow]]:
    by_role: dict[str, dict[str, set]] = defaultdict(lambda: {r: set() for r in ROLES})
    owners_of: dict[str, set[str]] = defaultdict(set)
    for o in net.ownerships:
        by_role[o.agent][o.role].add(o.measure)
        owners_of[o.measure].add(o.agent)
    collective_only = {m for m, owners in owners_of.items() if all(net.agents[a].collective for a in owners)}
    agencies, collectives = [], []
    for iri, roles in by_role.items():
        agent = net.agents[iri]
        every = set().union(*roles.values())
        plans = len({net.measures[m].plan for m in every if m in net.measures})
        counts = dict(lead=len(roles["lead"]), responsible=len(roles["responsible"]),
                      inherited=len(roles["inherited"]), measures=len(every), plans=plans)
        jur = net.label(agent.jurisdiction)
        if agent.collective:
            collectives.append(CollectiveRow(iri, agent.name, jur, sole_owner=len(every & collective_only), **counts))
        else:
            agencies.append(AgencyRow(iri, agent.name, jur, net.label(agent.function), **counts))
    agencies.sort(key=lambda r: (-r.measures, -r.lead, r.name, r.iri))
    collectives.sort(key=lambda r: (-r.measures, r.name, r.iri))
    return agencies, collectives


def _centrality(net: AgencyNetwork, rows: list[AgencyRow]) -> int | None:
    g = net.projection
    n = g.number_of_nodes()
    # Each connected part (mostly one jurisdiction) on its own: no shortest path leaves it, so
    # the sum is the whole graph's betweenness, and only a part too big for the exact algorithm
    # is sampled. Co-owning more measures makes two agencies closer: paths run over 1/weight.
    between: dict[str, float] = {}
    sampled = None
    for part in nx.connected_components(g):
        if len(part) < 3:
            continue
        k = None if len(part) <= EXACT_BETWEENNESS_LIMIT else EXACT_BETWEENNESS_LIMIT // 4
        sampled = k or sampled
        between.update(nx.betweenness_centrality(g.subgraph(part), k=k, weight="distance", normalized=False,
                                                 seed=COMMUNITY_SEED))
    scale = 2.0 / ((n - 1) * (n - 2)) if n > 2 else 0.0  # networkx's normalisation, whole graph
    for r in rows:
        if r.iri in g:
            r.partners = g.degree(r.iri)
            r.weighted_degree = int(g.degree(r.iri, weight="weight"))
            r.betweenness = round(between.get(r.iri, 0.0) * scale, 6)
    return sampled


def _communities(net: AgencyNetwork, rows: list[AgencyRow]) -> tuple[list[CommunityRow], float]:
    g = net.projection
    if g.number_of_nodes() == 0:
        return [], 0.0
    found = nx.community.louvain_communities(g, weight="weight", seed=COMMUNITY_SEED)
    modularity = nx.community.modularity(g, found, weight="weight") if g.number_of_edges() else 0.0
    # isolated agencies are communities of one: nothing to say about them as groups
    groups = sorted((c for c in found if len(c) > 1), key=lambda c: (-len(c), min(c)))
    index = {r.iri: r for r in rows}
    owned: dict[str, set[str]] = defaultdict(set)
    for o in net.ownerships:
        owned[o.agent].add(o.measure)
    out = []
    for n, members in enumerate(groups, start=1):
        measures = set().union(*(owned[a] for a in members))
        per_plan = Counter(net.measures[m].plan for m in measures if m in net.measures)
        for a in members:
            index[a].community = n
        ranked = sorted(members, key=lambda a: (-index[a].measures, index[a].name))
        top = sorted(per_plan.items(), key=lambda x: (-x[1], x[0]))[:3]
        out.append(CommunityRow(n, len(members), [index[a].name for a in ranked], len(measures),
                                [(net.label(p), c) for p, c in top], ranked, [p for p, _ in top]))
    return out, round(modularity, 4)


def _owners(net: AgencyNetwork) -> dict[str, dict]:
    out: dict[str, dict] = defaultdict(lambda: {"agencies": set(), "collectives": set(), "leads": set()})
    for o in net.ownerships:
        e = out[o.measure]
        e["collectives" if net.agents[o.agent].collective else "agencies"].add(o.agent)
        if o.role == "lead":
            e["leads"].add(o.agent)
    return out


def _measure_rows(net: AgencyNetwork, max_owners: int) -> tuple[list[MeasureRow], list[MeasureRow]]:
    diffused, leaderless = [], []
    for m, e in _owners(net).items():
        measure = net.measures.get(m)
        plan = net.label(measure.plan) if measure else ""
        # bundled notices prefix the path with the plan's title: shown beside it already
        path = measure.path.removeprefix(plan + "/") if measure else ""
        row = MeasureRow(m, measure.label if measure else "", plan, path, len(e["agencies"]), len(e["collectives"]),
                         sorted(net.label(a) for a in e["leads"]))
        if row.agencies > max_owners:
            diffused.append(row)
        if row.agencies + row.collectives >= 2 and not e["leads"]:
            leaderless.append(row)
    order = lambda r: (-(r.agencies + r.collectives), r.plan, r.path, r.iri)  # noqa: E731
    return sorted(diffused, key=order), sorted(leaderless, key=order)


def _functions(net: AgencyNetwork, topic: str | None) -> list[FunctionRow]:
    """Per agency function and jurisdiction (of the plan): the function's share of the
    jurisdiction's owned measures, for the functions found in at least two jurisdictions."""
    wanted = name_key(topic) if topic else None
    in_topic = {iri for iri, m in net.measures.items() if wanted is None or wanted in name_key(m.label)}
    owned_in: dict[str, set[str]] = defaultdict(set)
    cell: dict[tuple[str, str], dict] = defaultdict(lambda: {"m": set(), "lead": set(), "agencies": set()})
    for o in net.ownerships:
        if o.measure not in in_topic:
            continue
        j = net.jurisdiction_of(o.measure)
        if j is None:
            continue
        owned_in[j].add(o.measure)
        f = net.agents[o.agent].function
        if f and not net.agents[o.agent].collective:
            c = cell[(f, j)]
            c["m"].add(o.measure)
            c["agencies"].add(net.agents[o.agent].name)
            if o.role == "lead":
                c["lead"].add(o.measure)
    cities = Counter(f for f, _ in cell)
    rows = [FunctionRow(net.label(f), f, net.label(j), sorted(c["agencies"]), len(c["m"]), len(c["lead"]),
                        round(len(c["m"]) / len(owned_in[j]), 4))
            for (f, j), c in cell.items() if cities[f] >= 2 or net.scope]
    return sorted(rows, key=lambda r: (r.function, r.jurisdiction))


def _summary(net: AgencyNetwork, communities: int, modularity: float, diffused: list, leaderless: list) -> Summary:
    owners = _owners(net)
    collective_only = sum(1 for e in owners.values() if not e["agencies"])
    owned = len(owners)
    kinds = Counter(net.agents[a].collective for a in {o.agent for o in net.ownerships})
    return Summary(net.label(net.scope) if net.scope else "all", len(net.plans), len(net.measures), owned,
                   len(net.measures) - owned, kinds[False], kinds[True], len(net.ownerships), collective_only,
                   round(collective_only / owned, 4) if owned else 0.0, len(diffused), len(leaderless),
                   communities, modularity, net.scope)
