"""The /validate report as a page of this site (the JSON report of `policykg.shapes`, laid out for
an auditor): counts, then the results grouped by document, each document's results in numbering
order (一, 二, …, 十; （三） before （七）), each with a link to its measure's page and to its
source quote; and the "running…" page shown while the report is being made.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field

from flask import Response, render_template
from policykg.graph.numbering import numbering_sort_key
from policykg.shapes.report import SEVERITIES

from .responses import local_path
from .state import current
from .workers import WorkerError

SEVERITY_ORDER = {s: i for i, s in enumerate(SEVERITIES)}
SEVERITY_ZH = {"Violation": "违规", "Warning": "警告", "Info": "提示"}
# data IRIs are minted from the measure's IRI (graph/iris.py): …/measure/2-p4/figure/…, …/obligation/…
_MEASURE_OF = re.compile(r"^(.*?/measure/[^/]+)(?:/|$)")
FILES_QUERY = """PREFIX pkg: <https://w3id.org/policykg/ontology#>
SELECT DISTINCT ?file ?name WHERE { ?file a pkg:SourceFile ; pkg:fileName ?name }"""


@dataclass
class DocumentGroup:
    title: str
    iri: str | None
    results: list[dict] = field(default_factory=list)


def measure_iri(result: dict) -> str | None:
    """The measure a result is about: its focus, or the measure whose IRI the focus extends."""
    if result.get("focus_type") == "Measure":
        return result["focus"]
    m = _MEASURE_OF.match(result.get("focus") or "")
    return m.group(1) if m else None


def _file_iris() -> dict[str, str]:
    ep = current()
    try:
        rows = ep.cached("validate-files", lambda: ep.raw(FILES_QUERY))
    except WorkerError:
        return {}
    return {r["name"]["value"]: r["file"]["value"] for r in rows if "name" in r and "file" in r}


def _source_links(result: dict, files: dict[str, str]) -> list[dict]:
    out = []
    for s in result.get("sources") or []:
        file_iri = files.get(s.get("file") or "")
        href = None
        if file_iri:
            target = file_iri if s.get("start") is None else f"{file_iri}/text/{s['start']}-{s['end']}"
            href = local_path(target)
        out.append({**s, "href": href})
    return out


def group_by_document(results: list[dict]) -> list[DocumentGroup]:
    """Documents in title order (results about no document last), results in numbering order."""
    groups: dict[tuple, DocumentGroup] = {}
    for r in results:
        key = (r.get("document_iri") or "", r.get("document") or "")
        if key not in groups:
            groups[key] = DocumentGroup(r.get("document") or "(no document)", r.get("document_iri"))
        groups[key].results.append(r)
    for g in groups.values():
        g.results.sort(key=lambda r: (numbering_sort_key(r.get("numbering")), SEVERITY_ORDER.get(r["severity"], 9),
                                      r.get("shape_label") or "", r.get("focus") or ""))
    return sorted(groups.values(), key=lambda g: (g.iri is None, g.title.startswith("("), g.title))


def report(json_body: str, engine: str) -> Response:
    doc = json.loads(json_body)
    files = _file_iris()
    results = []
    for r in doc["results"]:
        m = measure_iri(r)
        results.append({**r, "measure_href": local_path(m) if m else None,
                        "focus_href": local_path(r["focus"]) if r["focus"].startswith("http") else None,
                        "source_links": _source_links(r, files)})
    shapes = [{"severity": g["severity"], "label": g["shape_label"], "count": g["count"]} for g in doc["groups"]]
    html = render_template("validate.html", doc=doc, groups=group_by_document(results), shapes=shapes,
                           severities=SEVERITIES, severity_zh=SEVERITY_ZH, engine=engine,
                           seconds=sum(doc.get("seconds", {}).values()))
    return Response(html, mimetype="text/html")


def waiting(job, engine: str) -> Response:
    """The page shown while the validation runs (it reloads itself), or the reason it failed."""
    elapsed = time.monotonic() - job.started
    html = render_template("validate_running.html", elapsed=elapsed, error=job.error[1] if job.error else None,
                           engine=engine)
    resp = Response(html, status=503 if job.error else 202, mimetype="text/html")
    resp.headers["Retry-After"] = "30" if job.error else "2"
    resp.headers["Cache-Control"] = "no-store"
    return resp
