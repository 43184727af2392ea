"""One extraction record (one source document) -> an rdflib Graph.

The graph holds what the document says, with provenance into its text, and nothing inferred:
`pkg:responsibleAgency`, `pkg:leadAgency` and `pkg:owns` come from `policykg.graph.infer`.
Quotes (`oa:exact`) are always sliced from the decoded text, never copied from the record.
"""

from __future__ import annotations

from decimal import Decimal

from policykg.graph import gazetteer
from policykg.graph.iris import Minter, canonical_path, h
from policykg.graph.namespaces import ELI, OA, ODRL, PKG, UNIT, bind_prefixes, normalise_base
from policykg.loaders import (
    Comparator,
    FigureRole,
    Kind,
    Measure,
    Modality,
    Record,
    Role,
    Script,
    units,
)
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, TIME, XSD


class BuildError(Exception):
    """A record cannot be turned into RDF (names the file)."""


# The record's enums -> ontology terms: the one place where a record value gets its RDF meaning.
KINDS = {Kind.GOAL: PKG.Goal, Kind.MEASURE: PKG.Action, Kind.SAFEGUARD: PKG.Safeguard}
ROLE_TERMS = {Role.LEAD: PKG.Lead, Role.RESPONSIBLE: PKG.CoResponsible, Role.INHERITED: PKG.Inherited}
# the role's part of an obligation IRI (kept short, and as published: changing it changes IRIs)
ROLE_SLUGS = {Role.LEAD: "lead", Role.RESPONSIBLE: "co", Role.INHERITED: "inh"}
MODALITIES = {
    Modality.OBLIGATION: PKG.Obligatory,
    Modality.ENCOURAGEMENT: PKG.Encouraged,
    Modality.PROHIBITION: PKG.Prohibited,
    Modality.STATEMENT: PKG.Stated,
}
COMPARATORS = {
    Comparator.AT_LEAST: ODRL.gteq,
    Comparator.MORE_THAN: ODRL.gt,
    Comparator.AT_MOST: ODRL.lteq,
    Comparator.LESS_THAN: ODRL.lt,
    Comparator.EQUAL: ODRL.eq,
    Comparator.RANGE: PKG.range,
}
FIGURE_ROLES = {
    FigureRole.TARGET: PKG.Target,
    FigureRole.CAP: PKG.Cap,
    FigureRole.THRESHOLD: PKG.Threshold,
    FigureRole.RATE: PKG.Rate,
    FigureRole.FREQUENCY: PKG.Frequency,
    FigureRole.ACHIEVED: PKG.Achieved,
    FigureRole.AMOUNT: PKG.Amount,
}


def _qudt_units() -> dict[str, URIRef]:
    """The loaders' unit table (loaders/data/units.tsv) → QUDT units, by written and canonical
    form (keys: Simplified, NFKC); a unit QUDT lacks gets a unit of ours (`Builder._unit`)."""
    out: dict[str, URIRef] = {}
    for u in units():
        if u.qudt:
            out[u.written] = out[u.canonical] = UNIT[u.qudt]
    return out


QUDT_UNITS = _qudt_units()


def _decimal(v: int | float | None) -> Literal | None:
    if v is None:
        return None
    d = Decimal(str(v))
    if not d.is_finite():
        return None
    return Literal(d, datatype=XSD.decimal)


def _date(value: str | None) -> Literal | None:
    if not value:
        return None
    parts = value.split("-")
    if len(parts) == 3:
        return Literal(value, datatype=XSD.date)
    if len(parts) == 2:
        return Literal(value, datatype=XSD.gYearMonth)
    if len(parts) == 1 and value.isdigit():
        return Literal(value, datatype=XSD.gYear)
    return None


class _Builder:
    def __init__(self, record: Record, text: str, base: str | None):
        self.r = record
        self.text = text
        self.file = record.file or "<record>"
        self.mint = Minter(normalise_base(base))
        # rdflib's plain triple store: a document graph has no contexts, and its adds cost ~20% less
        self.g = Graph(store="SimpleMemory")
        bind_prefixes(self.g)
        self.script = Script(record.script).value
        self.lang = self.script
        self.warnings: list[str] = []
        self.stats = {"measures": 0, "obligations": 0, "figures": 0, "agencies": set()}

    # ------------------------------------------------------------------ helpers
    def add(self, s, p, o) -> None:
        if o is not None:
            s = s if isinstance(s, URIRef) else URIRef(s)
            o = o if isinstance(o, (URIRef, Literal)) else URIRef(o)
            self.g.add((s, p, o))

    def lit(self, s: str | None) -> Literal | None:
        return Literal(s, lang=self.lang) if s else None

    def selection(self, start: int, end: int, fallback: tuple[int, int] | None = None) -> URIRef | None:
        """An oa:SpecificResource for text[start:end] of this file (quote sliced from the text)."""
        ok = 0 <= start < end <= len(self.text)
        if not ok:
            if fallback is None:
                raise BuildError(f"{self.file}: span [{start}, {end}) is outside the text ({len(self.text)} characters)")
            self.warnings.append(f"{self.file}: span [{start}, {end}) is not usable; using [{fallback[0]}, {fallback[1]})")
            start, end = fallback
        sel = URIRef(self.mint.selection(self.file_iri, start, end))
        if (sel, RDF.type, OA.SpecificResource) in self.g:
            return sel
        pos = URIRef(f"{sel}/position")
        quote = URIRef(f"{sel}/quote")
        g = self.g
        g.add((sel, RDF.type, OA.SpecificResource))
        g.add((sel, OA.hasSource, self.file_iri))
        g.add((sel, OA.hasSelector, pos))
        g.add((sel, OA.hasSelector, quote))
        g.add((pos, RDF.type, OA.TextPositionSelector))
        g.add((pos, OA.start, Literal(start, datatype=XSD.nonNegativeInteger)))
        g.add((pos, OA.end, Literal(end, datatype=XSD.nonNegativeInteger)))
        g.add((quote, RDF.type, OA.TextQuoteSelector))
        g.add((quote, OA.exact, Literal(self.text[start:end])))
        return sel

    def derived(self, subject, start, end, fallback=None) -> None:
        sel = self.selection(start, end, fallback)
        if sel is not None:
            self.g.add((URIRef(subject), PROV.wasDerivedFrom, sel))

    # ------------------------------------------------------------------ document
    def build(self) -> Graph:
        r = self.r
        if not r.sha256:
            raise BuildError(f"{self.file}: the record has no sha256")
        if r.length != len(self.text):
            raise BuildError(
                f"{self.file}: the text has {len(self.text)} characters, the record says {r.length}"
                " (the file changed since it was extracted?)"
            )
        self.file_iri = URIRef(self.mint.file(r.sha256))
        self.jur = gazetteer.resolve_jurisdiction(r.jurisdiction_key or r.jurisdiction)
        self._file()
        self._works()
        self._jurisdiction()
        self._issuer()
        used: dict[str, int] = {}
        for m in r.measures:
            self._measure(m, used)
        self._quality()
        return self.g

    def _file(self) -> None:
        r, f, g = self.r, self.file_iri, self.g
        g.add((f, RDF.type, PKG.SourceFile))
        g.add((f, PKG.fileName, Literal(self.file)))
        g.add((f, PKG.sha256, Literal(r.sha256)))
        g.add((f, DCTERMS["format"], Literal("text/plain")))
        if r.encoding:
            g.add((f, PKG.encoding, Literal(r.encoding)))
        g.add((f, PKG.characterCount, Literal(len(self.text), datatype=XSD.integer)))
        g.add((f, RDFS.label, Literal(self.file)))

    def _works(self) -> None:
        r, g = self.r, self.g
        scope = self.jur.slug if self.jur else "none"
        plans = [p for p in r.plans if p.key]
        # a notice that quotes its own title in 《》 does not issue itself as a plan
        announced = [a for a in r.announced_plans if a.key and not a.key.endswith("通知")]
        self.plan_iri: dict[str, URIRef] = {}

        def plan_work(key: str) -> URIRef:
            if key not in self.plan_iri:
                self.plan_iri[key] = URIRef(self.mint.work(scope, "p", key))
            return self.plan_iri[key]

        if announced:
            main_key = "|".join(sorted({a.key for a in announced}))
            self.main = URIRef(self.mint.work(scope, "n", main_key))
        elif len(plans) == 1:
            self.main = plan_work(plans[0].key)
        elif plans:
            self.main = URIRef(self.mint.work(scope, "b", "|".join(sorted({p.key for p in plans}))))
        else:
            if r.title:
                key = "title|" + gazetteer.name_key(r.title)
            elif r.doc_number:
                key = "number|" + gazetteer.name_key(r.doc_number)
            else:
                key = "sha256|" + r.sha256
            self.main = URIRef(self.mint.work(scope, "d", key))
        # agencies of a text without a jurisdiction are scoped by its work
        self.agency_scope_fallback = "w-" + h(str(self.main))

        # the main work and its expression in this file
        g.add((self.main, RDF.type, PKG.PolicyDocument))
        if self.jur:
            g.add((self.main, PKG.jurisdiction, URIRef(self.mint.jurisdiction(self.jur.slug))))
        missing = [a for a in announced if not a.present]
        partial = bool(missing) or r.truncated or (bool(announced) and not r.title)
        expr = URIRef(self.mint.expression(str(self.main), self.script, r.sha256 if partial else None))
        self._expression(expr, self.main, r.title, partial)
        if partial:
            for a in missing:
                self.add(expr, PKG.lacksPart, plan_work(a.key))
            if announced and not r.title:
                g.add((expr, PKG.lacksTitle, Literal(True)))
        if r.title and self.main not in set(self.plan_iri.values()):
            g.add((self.main, RDFS.label, self.lit(r.title)))
        d = _date(r.date)
        if d is not None:
            g.add((self.main, ELI.date_document, d))
        if r.doc_number:
            g.add((self.main, ELI.id_local, Literal(r.doc_number)))

        # announced plans (present or not) are parts of the notice
        for a in announced:
            w = plan_work(a.key)
            g.add((w, RDF.type, PKG.PolicyDocument))
            g.add((w, RDFS.label, self.lit(a.title)))  # named by the notice, even when no file holds it
            if self.jur:
                g.add((w, PKG.jurisdiction, URIRef(self.mint.jurisdiction(self.jur.slug))))
            g.add((w, ELI.is_part_of, self.main))
            g.add((self.main, ELI.has_part, w))
        # each plan the text holds: a work with an expression realised by this file
        for p in plans:
            w = plan_work(p.key)
            g.add((w, RDF.type, PKG.PolicyDocument))
            if p.title:
                g.add((w, RDFS.label, self.lit(p.title)))
            if self.jur:
                g.add((w, PKG.jurisdiction, URIRef(self.mint.jurisdiction(self.jur.slug))))
            if w != self.main:
                g.add((w, ELI.is_part_of, self.main))
                g.add((self.main, ELI.has_part, w))
                pexpr = URIRef(self.mint.expression(str(w), self.script))
                self._expression(pexpr, w, p.title, False)
                g.add((pexpr, DCTERMS.isPartOf, expr))
                if p.end > p.start:
                    self.derived(pexpr, p.start, p.end)
        self.main_expr = expr

    def _expression(self, expr: URIRef, work: URIRef, title: str | None, partial: bool) -> None:
        g = self.g
        g.add((expr, RDF.type, ELI.LegalExpression))
        if partial:
            g.add((expr, RDF.type, PKG.PartialExpression))
        g.add((expr, ELI.realizes, work))
        g.add((work, ELI.is_realized_by, expr))
        g.add((expr, DCTERMS.language, Literal(self.script, datatype=XSD.language)))
        if title:
            g.add((expr, ELI.title, self.lit(title)))
        g.add((expr, ELI.is_embodied_by, self.file_iri))
        g.add((self.file_iri, ELI.embodies, expr))

    def _jurisdiction(self) -> None:
        if not self.jur:
            return
        self._jurisdiction_node(self.jur)

    def _jurisdiction_node(self, j: gazetteer.Jurisdiction) -> URIRef:
        return add_jurisdiction(self.g, self.mint, j)

    def _issuer(self) -> None:
        issuer = self.r.issuer
        if not issuer:
            return
        for name in issuer.split():
            a = self._agent(name, collective=False)
            self.g.add((self.main, ELI.passed_by, a))

    # ------------------------------------------------------------------ agents
    def _agent(self, name: str, collective: bool) -> URIRef:
        res = gazetteer.resolve_agency(name, self.jur, collective=collective,
                                       fallback_scope=self.agency_scope_fallback)
        g = self.g
        if res.kind == "collective":
            iri = URIRef(self.mint.collective(res.scope, res.canonical))
            g.add((iri, RDF.type, PKG.CollectiveAgent))
        else:
            iri = URIRef(self.mint.agency(res.scope, res.local))
            g.add((iri, RDF.type, PKG.Agency))
            if res.function is not None:
                g.add((iri, PKG.function, URIRef(self.mint.function(res.function.id))))
        g.add((iri, SKOS.prefLabel, Literal(res.canonical, lang="zh-Hans")))
        g.add((iri, RDFS.label, Literal(res.canonical, lang="zh-Hans")))
        if name != res.canonical or self.lang != "zh-Hans":
            g.add((iri, SKOS.altLabel, self.lit(name)))
        if res.jurisdiction is not None:
            g.add((iri, PKG.jurisdiction, self._jurisdiction_node(res.jurisdiction)))
        self.stats["agencies"].add(str(iri))
        return iri

    # ------------------------------------------------------------------ measures
    def _measure(self, m: Measure, used: dict[str, int]) -> None:
        g = self.g
        plan_key = m.plan_key
        work = self.plan_iri.get(plan_key) if plan_key else None
        if work is None and plan_key:
            work = URIRef(self.mint.work(self.jur.slug if self.jur else "none", "p", plan_key))
            self.plan_iri[plan_key] = work
            g.add((work, RDF.type, PKG.PolicyDocument))
        work = work or self.main
        path_key = m.path_key or canonical_path(_path_in_plan(m))
        iri = Minter.measure(str(work), path_key)
        n = used.get(iri, 0) + 1
        used[iri] = n
        if n > 1:  # the same numbering twice in one plan: keep both, apart
            iri = f"{iri}-dup{n}"
        mi = URIRef(iri)
        span = (m.start, m.end)
        self.stats["measures"] += 1
        g.add((mi, RDF.type, PKG.Measure))
        if m.title:
            g.add((mi, RDFS.label, self.lit(m.title)))
        if m.path:
            g.add((mi, PKG.path, Literal(m.path)))
        g.add((mi, PKG.pathKey, Literal(path_key)))
        g.add((mi, ELI.is_part_of, work))
        g.add((mi, PKG.kind, KINDS[m.kind]))
        modality = MODALITIES[m.modality]
        g.add((mi, PKG.modality, modality))
        self.derived(mi, m.start, m.end)
        for src in m.sources:
            j = gazetteer.resolve_jurisdiction(src)
            if j is not None:
                g.add((mi, PKG.practiceSource, self._jurisdiction_node(j)))
        self._obligations(mi, m, modality, span)
        self._figures(mi, m, span)
        self._deadlines(mi, m, span)

    def _obligations(self, mi: URIRef, m: Measure, modality: URIRef, span: tuple[int, int]) -> None:
        seen: dict[str, URIRef] = {}
        for name, role, collective, where in _owners(m):
            if not name:
                continue
            agent = self._agent(name, collective)
            ob = URIRef(Minter.obligation(str(mi), ROLE_SLUGS[role], str(agent)))
            if str(ob) not in seen:
                seen[str(ob)] = ob
                self.stats["obligations"] += 1
                g = self.g
                g.add((ob, RDF.type, PKG.Obligation))
                g.add((ob, PKG.measure, mi))
                g.add((ob, PKG.agency, agent))
                g.add((ob, PKG.role, ROLE_TERMS[role]))
                g.add((ob, PKG.modality, modality))
            if where is None:
                self.derived(ob, *span)
            else:
                self.derived(ob, *where, fallback=span)

    def _figures(self, mi: URIRef, m: Measure, span: tuple[int, int]) -> None:
        g = self.g
        seen: dict[str, int] = {}
        for f in m.figures:
            unit_key = gazetteer.name_key(f.unit)
            key = "|".join(str(x) for x in (f.comparator.value, f.value, f.min, f.max, unit_key))
            n = seen.get(key, 0) + 1
            seen[key] = n
            fi = URIRef(Minter.figure(str(mi), f"{key}|{n}"))
            self.stats["figures"] += 1
            g.add((mi, PKG.hasFigure, fi))
            g.add((fi, RDF.type, PKG.Figure))
            if f.text:
                g.add((fi, RDFS.label, self.lit(f.text)))
            if f.comparator == Comparator.RANGE:
                self.add(fi, PKG.minValue, _decimal(f.min))
                self.add(fi, PKG.maxValue, _decimal(f.max))
            else:
                self.add(fi, PKG.value, _decimal(f.value))
            g.add((fi, PKG.unitText, Literal(f.unit)))
            if unit_key:
                self.add(fi, PKG.unit, self._unit(unit_key, f.unit))
            g.add((fi, PKG.comparator, COMPARATORS[f.comparator]))
            g.add((fi, PKG.role, FIGURE_ROLES[f.role]))
            self.derived(fi, f.start, f.end, fallback=span)

    def _unit(self, key: str, text: str) -> URIRef:
        q = QUDT_UNITS.get(key)
        if q is not None:
            return q
        u = URIRef(self.mint.unit(key))
        self.g.add((u, RDF.type, URIRef("http://qudt.org/schema/qudt/Unit")))
        self.g.add((u, RDFS.label, Literal(key, lang="zh-Hans")))
        if text != key:
            self.g.add((u, SKOS.altLabel, self.lit(text)))
        return u

    def _deadlines(self, mi: URIRef, m: Measure, span: tuple[int, int]) -> None:
        g = self.g
        for d in m.deadlines:
            di = URIRef(Minter.deadline(str(mi), d.date or gazetteer.name_key(d.text)))
            g.add((mi, PKG.deadline, di))
            g.add((di, RDF.type, TIME.Instant))
            if d.text:
                g.add((di, RDFS.label, self.lit(d.text)))
            lit = _date(d.date)
            if lit is not None:
                prop = {XSD.date: TIME.inXSDDate, XSD.gYearMonth: TIME.inXSDgYearMonth, XSD.gYear: TIME.inXSDgYear}
                g.add((di, prop[lit.datatype], lit))
            self.derived(di, d.start, d.end, fallback=span)

    def _coverage(self) -> None:
        """How much of the text the extractor understood (an auditor's view of where it gave up)."""
        c = self.r.coverage
        if c is None:
            return
        g = self.g
        ci = URIRef(f"{self.file_iri}/coverage")
        g.add((self.file_iri, PKG.coverage, ci))
        g.add((ci, RDF.type, PKG.Coverage))
        for prop, value in ((PKG.itemsFound, c.items), (PKG.measuresFound, c.measures),
                            (PKG.ownedMeasures, c.owned), (PKG.responsibilityMarkers, c.markers),
                            (PKG.unattachedMarkers, c.unattached)):
            g.add((ci, prop, Literal(value, datatype=XSD.integer)))

    def _quality(self) -> None:
        self._coverage()
        g = self.g
        for q in self.r.quality:
            s, e = q.start, q.end
            if not 0 <= s < e <= len(self.text):
                continue
            qi = URIRef(f"{self.file_iri}/issue/{s}-{e}")
            g.add((self.file_iri, PKG.qualityIssue, qi))
            g.add((qi, RDF.type, PKG.QualityIssue))
            g.add((qi, PKG.issueKind, Literal(q.kind.value)))
            self.derived(qi, s, e)


def _path_in_plan(m: Measure) -> str:
    """The measure's printed path without the plan title a bundle puts in front."""
    if m.plan_key and m.plan and m.path.startswith(m.plan):
        return m.path.split("/", 1)[1]
    return m.path


def _owners(m: Measure) -> list[tuple[str, Role, bool, tuple[int, int] | None]]:
    """(name, role, collective, span or None) of each agency named for the measure; a record
    written without mentions falls back to its name lists (no spans)."""
    if m.mentions:
        return [(x.name or x.key, x.role, x.collective, (x.start, x.end)) for x in m.mentions]
    lead = set(m.lead)
    named = [(n, Role.LEAD if n in lead else Role.RESPONSIBLE, False, None) for n in m.agencies]
    return named + [(n, Role.INHERITED, False, None) for n in m.inherited]


def build_document(record: Record, text: str | None = None, base: str | None = None) -> Graph:
    """The RDF of one extraction record; see the module docstring."""
    return build_document_with_stats(record, text, base)[0]


def build_document_with_stats(
    record: Record, text: str | None = None, base: str | None = None
) -> tuple[Graph, dict[str, int], list[str]]:
    """(graph, stats, warnings): stats counts measures, obligations, figures and agencies."""
    if text is None:
        from policykg.loaders import read_text

        if not record.path:
            raise BuildError(f"{record.file}: the record has no path to read the text from")
        text = read_text(record.path)
    b = _Builder(record, text, base)
    g = b.build()
    stats = dict(b.stats)
    stats["agencies"] = len(stats["agencies"])
    return g, stats, b.warnings


def add_jurisdiction(g: Graph, mint, j: gazetteer.Jurisdiction) -> URIRef:
    """A jurisdiction's node: type, labels, GB/T 2260 code and the province it is part of."""
    iri = URIRef(mint.jurisdiction(j.slug))
    g.add((iri, RDF.type, PKG.Jurisdiction))
    g.add((iri, RDFS.label, Literal(j.name, lang="zh-Hans")))
    if j.en:
        g.add((iri, RDFS.label, Literal(j.en, lang="en")))
    if j.code:
        g.add((iri, PKG.divisionCode, Literal(j.code)))
    if j.parent:
        g.add((iri, DCTERMS.isPartOf, URIRef(mint.jurisdiction(j.parent))))
    return iri
