"""A bounded load test of a running policykg server, on loopback only.

    python bench/loadtest.py http://127.0.0.1:8000 [--clients 50] [--seconds 30]

For a fixed duration, N concurrent clients each loop over a mix of what real users do: canned queries
(HTML and CSV), measure and agency pages, content-negotiated dereferencing (Turtle), ASK/SELECT through
the SPARQL endpoint, the search page and a validation report. A separate probe asks /healthz once a
second throughout. Prints requests per second, p50/p99 latency per kind, the error rate (5xx, timeouts
and refused connections; 503 "busy" counted apart) and whether /healthz ever failed to answer within
its deadline. The IRIs to visit are discovered from the server itself with SPARQL, so the script works on
the corpus and on a generated million-quad store alike.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import statistics
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode, urlsplit

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
SAMPLE = """PREFIX pkg: <https://w3id.org/policykg/ontology#>
SELECT DISTINCT ?m WHERE { GRAPH ?g { ?m a pkg:Measure } } LIMIT 200"""
AGENCIES = """PREFIX pkg: <https://w3id.org/policykg/ontology#>
SELECT DISTINCT ?a WHERE { GRAPH ?g { ?ob pkg:agency ?a } } LIMIT 100"""


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    busy: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, seconds: float, status: int | None) -> None:
        with self.lock:
            if status is None or status >= 500 and status != 503:
                self.errors[kind] += 1
            elif status == 503:
                self.busy[kind] += 1
            else:
                self.latencies[kind].append(seconds)


def request(host: str, port: int, path: str, accept: str = "text/html", timeout: float = 60.0) -> tuple[int | None, bytes]:
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Accept": accept})
        response = conn.getresponse()
        return response.status, response.read()
    except (OSError, http.client.HTTPException):
        return None, b""
    finally:
        conn.close()


def local_path(iri: str) -> str:
    """This server's own page for an IRI of the dataset (/id/… under any base)."""
    marker = "/id/"
    return iri[iri.index(marker):] if marker in iri else "/id/" + quote(iri, safe="")


def discover(host: str, port: int) -> tuple[list[str], list[str]]:
    found = []
    for query in (SAMPLE, AGENCIES):
        status, body = request(host, port, "/sparql?" + urlencode({"query": query}), "application/sparql-results+json")
        if status != 200:
            raise SystemExit(f"discovery query failed with status {status}: is the server up and loaded?")
        rows = json.loads(body)["results"]["bindings"]
        found.append([local_path(next(iter(r.values()))["value"]) for r in rows])
    if not found[0]:
        raise SystemExit("the store holds no measures: load documents first")
    return found[0], found[1]


def workload(measures: list[str], agencies: list[str]) -> list[tuple[str, str, str]]:
    """(kind, path, accept): the mix each client loops over, heaviest pages included."""
    mix = [
        ("canned-html", "/queries/top-owners", "text/html"),
        ("canned-csv", "/queries/agency-owns?agency=" + quote("科技局"), "text/csv"),
        ("canned-csv", "/queries/unowned-measures", "text/csv"),
        ("sparql-ask", "/sparql?" + urlencode({"query": "ASK { ?s ?p ?o }"}), "application/sparql-results+json"),
        ("search", "/search?q=" + quote("发改委"), "text/html"),
        ("validate", "/validate?format=json", "application/json"),
    ]
    mix += [("measure-page", m, "text/html") for m in measures[:20]]
    mix += [("measure-turtle", m, "text/turtle") for m in measures[20:30]]
    mix += [("agency-page", a, "text/html") for a in agencies[:10]]
    return mix


def client(host: str, port: int, mix: list, deadline: float, tally: Tally, seed: int) -> None:
    rng = random.Random(seed)
    while time.monotonic() < deadline:
        kind, path, accept = rng.choice(mix)
        start = time.monotonic()
        status, _ = request(host, port, path, accept)
        tally.add(kind, time.monotonic() - start, status)


def health_probe(host: str, port: int, deadline: float, misses: list[float]) -> None:
    while time.monotonic() < deadline:
        start = time.monotonic()
        status, _ = request(host, port, "/healthz", "application/json", timeout=5.0)
        if status != 200:
            misses.append(start)
        time.sleep(max(0.0, 1.0 - (time.monotonic() - start)))


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) >= 2 else (values[0] if values else 0.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url", help="the server, e.g. http://127.0.0.1:8000 (loopback only)")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients (default: 50)")
    parser.add_argument("--seconds", type=float, default=30.0, help="how long to run (default: 30)")
    args = parser.parse_args()
    parts = urlsplit(args.url)
    if parts.hostname not in LOOPBACK:
        raise SystemExit("load tests run against loopback only (127.0.0.1, localhost, ::1)")
    host, port = parts.hostname, parts.port or 80
    measures, agencies = discover(host, port)
    mix = workload(measures, agencies)
    tally, misses = Tally(), []
    deadline = time.monotonic() + args.seconds
    threads = [threading.Thread(target=client, args=(host, port, mix, deadline, tally, i)) for i in range(args.clients)]
    threads.append(threading.Thread(target=health_probe, args=(host, port, deadline, misses)))
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    total_ok = sum(len(v) for v in tally.latencies.values())
    total_err = sum(tally.errors.values())
    total_busy = sum(tally.busy.values())
    total = total_ok + total_err + total_busy
    print(f"{args.clients} clients, {elapsed:.1f} s, {total} requests, {total / elapsed:.1f} req/s")
    print(f"{'kind':<16}{'ok':>7}{'p50 ms':>9}{'p99 ms':>9}{'5xx/fail':>10}{'503 busy':>10}")
    for kind in sorted(set(tally.latencies) | set(tally.errors) | set(tally.busy)):
        lat = tally.latencies.get(kind, [])
        print(f"{kind:<16}{len(lat):>7}{percentile(lat, 50) * 1000:>9.0f}{percentile(lat, 99) * 1000:>9.0f}"
              f"{tally.errors.get(kind, 0):>10}{tally.busy.get(kind, 0):>10}")
    rate = total_err / total if total else 0.0
    print(f"error rate {rate:.2%} (5xx other than 503, timeouts, refused); 503 busy {total_busy}; "
          f"/healthz missed {len(misses)} of {int(elapsed)} probes")


if __name__ == "__main__":
    main()
