"""The server's per-request cost, beside Oxigraph's own server and pyoxigraph in-process, same store, same run.

    python bench/bench_server.py STORE [--requests 300] [--clients 8] [--oxigraph PATH_TO_oxigraph_CLI]

Starts `policykg serve` (and, when the `oxigraph` CLI is given or on PATH — `pip install oxigraph` — its
`serve-read-only` with the union default graph) on loopback ports over the same store directory, then
for each query: p50 and p99 of N sequential requests from one keep-alive client, and the queries per
second of `--clients` concurrent clients. pyoxigraph in the same process is the floor (no HTTP at all).
Each figure is printed beside the reference, with the ratio. Run it on a quiet machine: it measures
latency, and other work on the cores shows in every column.
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

QUERIES = {
    "ASK": "ASK { ?s ?p ?o }",
    "one measure": "PREFIX pkg: <https://w3id.org/policykg/ontology#> "
                   "SELECT ?m ?label WHERE { ?m a pkg:Measure ; <http://www.w3.org/2000/01/rdf-schema#label> ?label } LIMIT 1",
    "agency -> measures": "PREFIX pkg: <https://w3id.org/policykg/ontology#> "
                          "SELECT ?a (COUNT(?ob) AS ?n) WHERE { ?ob pkg:agency ?a } GROUP BY ?a ORDER BY DESC(?n) LIMIT 5",
}
ACCEPT = "application/sparql-results+json"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(port: int, path: str, proc: subprocess.Popen, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server on port {port} exited with {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", path)
            if conn.getresponse().status < 500:
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"server on port {port} did not start")


def timed_requests(port: int, path: str, query: str, n: int) -> list[float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    url = path + "?" + urlencode({"query": query})
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        conn.request("GET", url, headers={"Accept": ACCEPT})
        r = conn.getresponse()
        r.read()
        if r.status != 200:
            raise SystemExit(f"{path} answered {r.status} to {query!r}")
        out.append(time.perf_counter() - t0)
    conn.close()
    return out


def qps(port: int, path: str, query: str, clients: int, seconds: float = 5.0) -> float:
    done = []
    deadline = time.monotonic() + seconds

    def loop():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        url = path + "?" + urlencode({"query": query})
        count = 0
        while time.monotonic() < deadline:
            conn.request("GET", url, headers={"Accept": ACCEPT})
            conn.getresponse().read()
            count += 1
        done.append(count)

    threads = [threading.Thread(target=loop) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done) / seconds


def in_process(store: str, query: str, n: int) -> list[float]:
    import pyoxigraph as ox

    st = ox.Store.read_only(store)
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        st.query(query, use_default_graph_as_union=True).serialize(format=ox.QueryResultsFormat.JSON)
        out.append(time.perf_counter() - t0)
    return out


def p(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("store")
    ap.add_argument("--requests", type=int, default=300)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--oxigraph", default=shutil.which("oxigraph"))
    args = ap.parse_args()
    policykg = str(Path(sys.executable).with_name("policykg"))
    procs = []
    ours = free_port()
    env = dict(os.environ, POLICYKG_ACCESS_LOG=os.environ.get("POLICYKG_ACCESS_LOG", "-"))
    log = tempfile.TemporaryFile()
    procs.append(subprocess.Popen([policykg, "serve", "--store", args.store, "--port", str(ours)],
                                  stdout=log, stderr=log, env=env))
    ox_port = None
    if args.oxigraph:
        ox_port = free_port()
        procs.append(subprocess.Popen([args.oxigraph, "serve-read-only", "--location", args.store,
                                       "--bind", f"127.0.0.1:{ox_port}", "--union-default-graph"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    try:
        wait_up(ours, "/healthz", procs[0])
        if ox_port:
            wait_up(ox_port, "/query?" + urlencode({"query": "ASK {}"}), procs[1])
        print(f"store {args.store}; {args.requests} sequential requests per query (1 keep-alive client); "
              f"{args.clients} clients for qps; load average {os.getloadavg()[0]:.1f}")
        ref = "oxigraph serve" if ox_port else "pyoxigraph in-process"
        print(f"{'query':<20}{'policykg p50':>13}{'p99':>8}{'oxigraph p50':>14}{'p99':>8}{'in-proc p50':>13}"
              f"{'ratio':>7}{'policykg qps':>14}{'oxigraph qps':>14}")
        for name, query in QUERIES.items():
            timed_requests(ours, "/sparql", query, 20)  # warm the workers' caches
            mine = timed_requests(ours, "/sparql", query, args.requests)
            floor = in_process(args.store, query, min(args.requests, 100))
            theirs = timed_requests(ox_port, "/query", query, args.requests) if ox_port else None
            q_mine = qps(ours, "/sparql", query, args.clients)
            q_theirs = qps(ox_port, "/query", query, args.clients) if ox_port else float("nan")
            base = p(theirs, 50) if theirs else p(floor, 50)
            print(f"{name:<20}{p(mine, 50):>13.2f}{p(mine, 99):>8.2f}"
                  f"{p(theirs, 50) if theirs else float('nan'):>14.2f}{p(theirs, 99) if theirs else float('nan'):>8.2f}"
                  f"{p(floor, 50):>13.2f}{p(mine, 50) / base:>6.1f}x{q_mine:>14.0f}{q_theirs:>14.0f}")
        print(f"(ms; ratio = policykg p50 / {ref} p50)")
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(15)


if __name__ == "__main__":
    main()
