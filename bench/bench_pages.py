"""Time the pages people read (home, lists, measure, plan, agency, jurisdiction, source text, search) on
a store, each beside a plain SPARQL reference query through the same server.

    python bench/bench_pages.py STORE [--rounds 5] [--port 0]

Starts `policykg serve` on STORE (loopback), picks real IRIs from the store (the agency with the most
obligations, one of its measures, that measure's plan, a source file and one of its quotes), fetches
each page once cold (the per-load caches of the browse lists and the search index empty) and then
ROUNDS times, and prints the cold time and p50 / max per page with the p50 of a plain SPARQL reference
through the same server: `SELECT ?p ?o WHERE { <iri> ?p ?o } LIMIT 100` for resource pages, a `COUNT`
of the documents for the lists. A page that fails or times out says so in the status column.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import requests

BASE = "https://w3id.org/policykg/id/"
PKG = "https://w3id.org/policykg/ontology#"
HTML = {"Accept": "text/html"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sparql(url: str, query: str) -> list[dict]:
    r = requests.post(url + "/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"},
                      timeout=120)
    r.raise_for_status()
    return r.json()["results"]["bindings"]


def pick(url: str) -> dict[str, str]:
    """Real IRIs of the store: the busiest agency, one of its measures, its plan, a file and a quote."""
    agency = sparql(url, f"""PREFIX pkg: <{PKG}> SELECT ?a (COUNT(*) AS ?n) WHERE {{
        SELECT DISTINCT ?a ?ob WHERE {{ GRAPH ?g {{ ?ob pkg:agency ?a }} }} }} GROUP BY ?a ORDER BY DESC(?n) LIMIT 1""")
    a = agency[0]["a"]["value"]
    m = sparql(url, f"""PREFIX pkg: <{PKG}> PREFIX eli: <http://data.europa.eu/eli/ontology#>
        PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX oa: <http://www.w3.org/ns/oa#>
        SELECT ?m ?plan ?sel ?file WHERE {{ GRAPH ?g {{ ?ob pkg:agency <{a}> ; pkg:measure ?m .
          ?m eli:is_part_of ?plan ; prov:wasDerivedFrom ?sel . ?sel oa:hasSource ?file }} }} LIMIT 1""")[0]
    j = sparql(url, f"PREFIX pkg: <{PKG}> SELECT ?j WHERE {{ GRAPH ?g {{ <{a}> pkg:jurisdiction ?j }} }} LIMIT 1")
    out = {"agency": a, "measure": m["m"]["value"], "plan": m["plan"]["value"], "file": m["file"]["value"],
           "quote": m["sel"]["value"]}
    if j:
        out["jurisdiction"] = j[0]["j"]["value"]
    return out


def timed(fn, rounds: int) -> tuple[list[float], str]:
    """Times of `rounds` calls after a first one (returned first: the cold time, caches empty)."""
    times, status = [], "ok"
    for _ in range(rounds + 1):
        t = time.perf_counter()
        try:
            r = fn()
            if r.status_code != 200:
                status = f"HTTP {r.status_code}"
        except requests.RequestException as e:  # a timeout is a result here
            status = type(e).__name__
        times.append(time.perf_counter() - t)
    return times, status


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("store")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    exe = str(Path(sys.executable).with_name("policykg"))
    proc = subprocess.Popen([exe, "serve", "--store", args.store, "--port", str(port), "--workers",
                             str(args.workers)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                if requests.get(url + "/healthz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.3)
        t = time.perf_counter()
        iris = pick(url)
        print(f"store {args.store}; picked in {time.perf_counter() - t:.1f} s: {iris['agency']}")
        pages = [("home", "/", None), ("documents", "/documents", None), ("documents p.3", "/documents?page=3", None),
                 ("agencies", "/agencies", None), ("jurisdictions", "/jurisdictions", None),
                 ("search 发改委", "/search?q=" + quote("发改委"), None)]
        for kind in ("measure", "plan", "agency", "jurisdiction", "file", "quote"):
            if kind in iris:
                pages.append((kind, "/id/" + iris[kind][len(BASE):], iris[kind]))
        pages.append(("agency RDF", "/id/" + iris["agency"][len(BASE):] + "?format=ttl", iris["agency"]))
        print(f"{'page':<16}{'cold s':>9}{'p50 s':>9}{'max s':>9}{'ref p50 s':>11}  status")
        for name, path, subject in pages:
            times, status = timed(lambda p=path: requests.get(url + p, headers=HTML, timeout=120), args.rounds)
            if subject:
                ref_q = f"SELECT ?p ?o WHERE {{ <{subject}> ?p ?o }} LIMIT 100"
            else:
                ref_q = f"PREFIX pkg: <{PKG}> SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE {{ ?d a pkg:PolicyDocument }}"
            ref, _ = timed(lambda q=ref_q: requests.post(url + "/sparql", data={"query": q}, timeout=120), args.rounds)
            cold, warm = times[0], times[1:]
            print(f"{name:<16}{cold:>9.3f}{statistics.median(warm):>9.3f}{max(warm):>9.3f}"
                  f"{statistics.median(ref[1:]):>11.3f}  {status}")
    finally:
        proc.terminate()
        proc.wait(15)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
