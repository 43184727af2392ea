"""What the linked-data pages show of one resource: its RDF description (CONSTRUCT) and the
richer view of its HTML page (owners, figures, source quotes, document), from a few SELECTs."""

from __future__ import annotations

from policykg.graph.namespaces import PKG_IRI, PREFIXES

RDFS_LABEL = PREFIXES["rdfs"] + "label"
SKOS = PREFIXES["skos"]
RDF_TYPE = PREFIXES["rdf"] + "type"


def _iri(iri: str) -> str:
    if any(c in iri for c in '<>"{}|^`\\ \n\t'):
        raise ValueError("not an IRI")
    return f"<{iri}>"


def construct_query(iri: str) -> str:
    """The resource's description: its triples, those of its blank nodes (two levels, e.g. a
    provenance selector), the triples pointing at it, and the labels of everything mentioned."""
    s = _iri(iri)
    return f"""CONSTRUCT {{ {s} ?p ?o . ?o ?p2 ?o2 . ?o2 ?p3 ?o3 . ?in ?pin {s} . ?o <{RDFS_LABEL}> ?ol . ?in <{RDFS_LABEL}> ?il . }}
WHERE {{
  {{ {s} ?p ?o . OPTIONAL {{ ?o <{RDFS_LABEL}> ?ol }}
     OPTIONAL {{ FILTER(isBlank(?o)) ?o ?p2 ?o2 OPTIONAL {{ FILTER(isBlank(?o2)) ?o2 ?p3 ?o3 }} }} }}
  UNION
  {{ ?in ?pin {s} . OPTIONAL {{ ?in <{RDFS_LABEL}> ?il }} }}
}}"""


def _v(row: dict, key: str):
    t = row.get(key)
    return t["value"] if t else None


def _lang(row: dict, key: str):
    t = row.get(key)
    return (t or {}).get("xml:lang")


def describe_for_html(ep, iri: str) -> dict | None:
    """Everything the HTML page shows, from a few SELECTs in a worker. None when unknown."""
    s = _iri(iri)
    pkg = PKG_IRI
    out_rows = ep.raw(f"""SELECT ?p ?o ?olabel WHERE {{ {s} ?p ?o .
        OPTIONAL {{ ?o <{RDFS_LABEL}> ?olabel }} }} LIMIT 2000""")
    in_rows = ep.raw(f"""SELECT ?s ?p ?slabel ?stype WHERE {{ ?s ?p {s} .
        OPTIONAL {{ ?s <{RDFS_LABEL}> ?slabel }} OPTIONAL {{ ?s a ?stype }} }} LIMIT 500""")
    if not out_rows and not in_rows:
        return None
    page: dict = {"iri": iri, "labels": [], "types": [], "props": [], "incoming": [], "owners": [],
                  "figures": [], "quotes": [], "document": [], "altlabels": []}
    neighbours: dict[str, dict] = {}
    for r in out_rows:
        p, o = r["p"]["value"], r["o"]
        if p == RDFS_LABEL:
            lab = {"value": o["value"], "lang": o.get("xml:lang")}
            if lab not in page["labels"]:
                page["labels"].append(lab)
            continue
        if p == SKOS + "altLabel":
            lab = {"value": o["value"], "lang": o.get("xml:lang")}
            if lab not in page["altlabels"]:
                page["altlabels"].append(lab)
        if p == RDF_TYPE:
            if o["value"] not in page["types"]:
                page["types"].append(o["value"])
            continue
        key = (p, o["type"], o["value"])
        if key in neighbours:
            if _v(r, "olabel"):
                neighbours[key]["labels"].add(_v(r, "olabel"))
            continue
        neighbours[key] = {"p": p, "o": o, "labels": {_v(r, "olabel")} - {None}}
    page["props"] = sorted(({"p": n["p"], "o": n["o"], "label": " / ".join(sorted(n["labels"]))}
                            for n in neighbours.values()), key=lambda d: (d["p"], d["o"]["value"]))
    seen = set()
    for r in in_rows:
        k = (r["s"]["value"], r["p"]["value"])
        if k in seen:
            continue
        seen.add(k)
        page["incoming"].append({"s": r["s"], "p": r["p"]["value"], "label": _v(r, "slabel"),
                                 "type": _v(r, "stype")})
    # owners (obligations on this measure) and what an agency owns
    page["owners"] = ep.raw(f"""PREFIX pkg: <{pkg}>
        SELECT ?ob ?agency (SAMPLE(?al) AS ?agencyLabel) ?role ?modality WHERE {{
          ?ob pkg:measure {s} ; pkg:agency ?agency .
          OPTIONAL {{ ?ob pkg:role ?role }} OPTIONAL {{ ?ob pkg:modality ?modality }}
          OPTIONAL {{ ?agency <{RDFS_LABEL}> ?al }}
        }} GROUP BY ?ob ?agency ?role ?modality ORDER BY ?role ?agencyLabel LIMIT 500""")
    page["owned"] = ep.raw(f"""PREFIX pkg: <{pkg}>
        SELECT ?measure (SAMPLE(?ml) AS ?measureLabel) ?role WHERE {{
          ?ob pkg:agency {s} ; pkg:measure ?measure . OPTIONAL {{ ?ob pkg:role ?role }}
          OPTIONAL {{ ?measure <{RDFS_LABEL}> ?ml }}
        }} GROUP BY ?measure ?role ORDER BY ?measureLabel LIMIT 1000""")
    page["figures"] = ep.raw(f"""PREFIX pkg: <{pkg}>
        SELECT ?f ?value ?min ?max ?unit ?comparator ?role ?flabel WHERE {{
          {s} pkg:hasFigure ?f .
          OPTIONAL {{ ?f pkg:value ?value }} OPTIONAL {{ ?f pkg:minValue ?min }} OPTIONAL {{ ?f pkg:maxValue ?max }}
          OPTIONAL {{ ?f pkg:unit ?unit }} OPTIONAL {{ ?f pkg:comparator ?comparator }}
          OPTIONAL {{ ?f pkg:role ?role }} OPTIONAL {{ ?f <{RDFS_LABEL}> ?flabel }}
        }} LIMIT 200""")
    page["quotes"] = ep.raw(f"""PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX oa: <http://www.w3.org/ns/oa#>
        SELECT DISTINCT ?exact ?start ?end ?source ?sourceLabel WHERE {{
          {s} prov:wasDerivedFrom ?sr .
          OPTIONAL {{ ?sr oa:hasSelector ?q . ?q a oa:TextQuoteSelector ; oa:exact ?exact }}
          OPTIONAL {{ ?sr oa:hasSelector ?pos . ?pos a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end }}
          OPTIONAL {{ ?sr oa:hasSource ?source . OPTIONAL {{ ?source <{RDFS_LABEL}>|<http://purl.org/dc/terms/title> ?sourceLabel }} }}
        }} LIMIT 50""")
    page["document"] = ep.raw(f"""PREFIX eli: <http://data.europa.eu/eli/ontology#>
        SELECT DISTINCT ?doc (SAMPLE(?dl) AS ?docLabel) WHERE {{
          {s} eli:is_part_of+ ?doc . OPTIONAL {{ ?doc <{RDFS_LABEL}>|eli:title ?dl }}
        }} GROUP BY ?doc LIMIT 20""")
    page["label"] = _pick_label(page["labels"]) or iri.rsplit("/", 1)[-1]
    return page


def _pick_label(labels: list[dict]) -> str | None:
    if not labels:
        return None
    for pref in ("zh-hans", "zh-cn", "zh", None, "zh-hant"):
        for lab in labels:
            if (lab.get("lang") or None) == pref or ((lab.get("lang") or "").lower() == pref):
                return lab["value"]
    return labels[0]["value"]
