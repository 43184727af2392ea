"""Extraction past one machine: a Dask bag over the input files.

Extraction is a pure function of one file (`policykg.loaders.extract_file`), so it spreads over
any number of processes or machines as a `dask.bag` mapped over the file names; each worker must
see the files at the same paths (a shared or replicated file system). Optionally each worker also
builds the document's RDF (the graph library's `build_document` plus the inferred shortcuts) and
returns it as N-Quads in the document's named graph, ready for a bulk loader.

    from policykg.graph.distributed import extract_distributed
    for item in extract_distributed(files, scheduler="tcp://10.0.0.5:8786"):  # None: a local cluster
        if item.error: print(item.error)        # a file that is not a policy text, named
        else: print(item.record)                # the record as JSON, as `policykg extract` writes it

`policykg extract --dask [ADDRESS]` and `policykg load --dask [ADDRESS]` run this. Loading into
the store stays one writer (each document's graph is replaced atomically, in order).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from policykg.loaders import ExtractionError, extract_file, read_text


@dataclass(frozen=True)
class Extracted:
    """One file's outcome: its record (JSON, one line) or the error that names it; `nquads`
    when asked for."""

    file: str
    record: str | None = None
    error: str | None = None
    nquads: str | None = None


def extract_one(path: str, nquads: bool = False, base: str | None = None) -> Extracted:
    """Extract one file (on a worker). An `ExtractionError` (empty, binary, not a policy text)
    becomes `Extracted.error`; anything else is a bug and propagates."""
    try:
        record = extract_file(path)
    except ExtractionError as exc:
        return Extracted(path, error=str(exc))
    return Extracted(path, record.to_json(), nquads=_nquads(record, path, base) if nquads else None)


def _nquads(record, path: str, base: str | None) -> str:
    import pyoxigraph as ox
    from policykg.graph.build import build_document
    from policykg.graph.infer import infer_shortcuts
    from policykg.graph.namespaces import document_graph

    graph = build_document(record, read_text(path), base)
    for triple in infer_shortcuts(graph):
        graph.add(triple)
    name = ox.NamedNode(document_graph(record.file or Path(path).name, base))
    triples = ox.parse(graph.serialize(format="nt").encode("utf-8"), ox.RdfFormat.N_TRIPLES)
    quads = [ox.Quad(t.subject, t.predicate, t.object, name) for t in triples]
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS).decode("utf-8")


def extraction_bag(files: Iterable[str | Path], nquads: bool = False, base: str | None = None,
                   npartitions: int | None = None):
    """The `dask.bag.Bag` of `Extracted`, one per file, in the order given (lazy: nothing runs
    until it is computed). Small partitions (a few files each) keep workers evenly busy and
    the progress bar moving."""
    import dask.bag as db

    names = [str(f) for f in files]
    parts = npartitions or max(1, min(len(names), 256, -(-len(names) // 4)))
    return db.from_sequence(names, npartitions=parts).map(extract_one, nquads=nquads, base=base)


def extract_distributed(files: Iterable[str | Path], scheduler: str | None = None, nquads: bool = False,
                        base: str | None = None,
                        progress: Callable[[int, int, str], None] | None = None) -> Iterator[Extracted]:
    """`Extracted` for every file, in the order given, computed on the Dask cluster at
    `scheduler` (`tcp://HOST:8786`), or on a local cluster of one process per core when None.
    `progress(done, total, label)` is called as partitions finish (`cli.common.ProgressBar`)."""
    from distributed import Client, LocalCluster, as_completed

    bag = extraction_bag(files, nquads=nquads, base=base)
    cluster = None
    if scheduler is None:
        cluster = LocalCluster(n_workers=os.cpu_count() or 1, threads_per_worker=1, processes=True,
                               dashboard_address=None)
    client = Client(scheduler or cluster)
    try:
        parts = bag.to_delayed()
        futures = client.compute(parts)
        index = {f.key: i for i, f in enumerate(futures)}
        done: dict[int, list[Extracted]] = {}
        following = finished = 0
        for future in as_completed(futures):
            done[index[future.key]] = future.result()
            finished += 1
            if progress:
                progress(finished, len(futures), "extracting on the Dask cluster")
            while following in done:  # hand results over in input order, as soon as possible
                yield from done.pop(following)
                following += 1
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
