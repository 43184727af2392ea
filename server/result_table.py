"""SPARQL SELECT results as a table a person reads: labels instead of IRIs, links to this server's
own pages, plain numbers, and a column's label column folded into it.

Used by the canned-query pages (`/queries/NAME` in a browser). A column `x` whose values are IRIs
takes its text from a sibling column `xLabel` or `xName` when the query has one (that column is
then not shown on its own); the other IRIs on the page get their labels from the store in one
query (`fetch_labels`), so a role or a kind reads "co-responsible · 共同负责", not `pkg:CoResponsible`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from policykg.graph.namespaces import compact

XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float", "int", "long", "short",
                             "nonNegativeInteger", "positiveInteger")}
LABEL_SUFFIXES = ("Label", "Name")
# which label to show first: Simplified Chinese, then any Chinese, then Traditional, then untagged
_ZH_ORDER = ("zh-hans", "zh", "zh-cn", "zh-hant", "zh-tw", "")


@dataclass
class Cell:
    text: str
    href: str | None = None
    title: str | None = None  # the IRI, compacted, or a literal's datatype
    numeric: bool = False


@dataclass
class Table:
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)


def label_columns(variables: list[str]) -> dict[str, str]:
    """IRI column -> the column holding its label (`agency` -> `agencyName`, `plan` -> `planLabel`)."""
    out = {}
    for v in variables:
        for suffix in LABEL_SUFFIXES:
            if v + suffix in variables:
                out[v] = v + suffix
                break
    return out


def iris_needing_labels(variables: list[str], bindings: Iterable[dict]) -> set[str]:
    """IRIs on the page with no label column of their own."""
    paired = label_columns(variables)
    out = set()
    for b in bindings:
        for v in variables:
            t = b.get(v)
            if t and t.get("type") == "uri" and not (paired.get(v) and b.get(paired[v])):
                out.add(t["value"])
    return out


def labels_query(iris: Iterable[str]) -> str:
    values = " ".join(f"<{i}>" for i in sorted(iris))
    return ("PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
            f"SELECT DISTINCT ?s ?l WHERE {{ VALUES ?s {{ {values} }} ?s skos:prefLabel|rdfs:label ?l }}")


def pick_labels(rows: Iterable[dict]) -> dict[str, str]:
    """IRI -> one display label: the Chinese one (Simplified first), with the English after a · when
    there is one (`共同负责 · co-responsible`); the English alone when there is no Chinese."""
    by_iri: dict[str, dict[str, str]] = {}
    for r in rows:
        lit = r.get("l") or {}
        lang = (lit.get("xml:lang") or "").lower()
        langs = by_iri.setdefault(r["s"]["value"], {})
        langs.setdefault(lang, lit.get("value", ""))  # first seen wins: the answer's order is stable
    out = {}
    for iri, langs in by_iri.items():
        zh = next((langs[k] for k in _ZH_ORDER if k in langs), None)
        en = langs.get("en")
        out[iri] = f"{zh} · {en}" if zh and en and zh != en else (zh or en or next(iter(langs.values())))
    return out


def fetch_labels(iris: set[str], run: Callable[[str], list[dict]], chunk: int = 200) -> dict[str, str]:
    """Labels of these IRIs from the store, `run` being a SELECT runner returning SPARQL-JSON rows."""
    ordered = sorted(i for i in iris if ">" not in i and " " not in i)  # never an IRI that breaks the query
    rows: list[dict] = []
    for start in range(0, len(ordered), chunk):
        rows.extend(run(labels_query(ordered[start:start + chunk])))
    return pick_labels(rows)


def build(variables: list[str], bindings: list[dict], labels: dict[str, str],
          href: Callable[[str], str]) -> Table:
    """The table to show: label columns folded into their IRI columns, IRIs as labelled links."""
    paired = label_columns(variables)
    hidden = set(paired.values())
    shown = [v for v in variables if v not in hidden]
    table = Table(shown)
    for b in bindings:
        row = []
        for v in shown:
            t = b.get(v)
            label_term = b.get(paired[v]) if v in paired else None
            row.append(_cell(t, label_term["value"] if label_term else None, labels, href))
        table.rows.append(row)
    return table


def _cell(t: dict | None, label: str | None, labels: dict[str, str], href: Callable[[str], str]) -> Cell:
    if not t:
        return Cell("")
    value = t.get("value", "")
    if t.get("type") == "uri":
        name = compact(value).strip("<>")
        return Cell(label or labels.get(value) or name, href(value), name)
    if t.get("type") == "bnode":
        return Cell("_:" + value)
    dt = t.get("datatype")
    return Cell(value, None, compact(dt) if dt and dt not in NUMERIC else None, numeric=dt in NUMERIC)
