"""What the sub-commands share: the help layout, the store options, a progress bar on stderr."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from policykg.graph.namespaces import BASE
from policykg.graph.store import DEFAULT_STORE, GraphStore, open_store


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """argparse's '(default: …)' after an option's help, except where there is nothing to show
    (a flag that is off, an option whose absence the help text explains) or the help already
    names its default in words."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        help_text = action.help or ""
        if action.default is None or action.default is False or "(default" in help_text:
            return help_text
        return super()._get_help_string(action)


def debug_option() -> argparse.ArgumentParser:
    """`--debug`, accepted before or after the sub-command (SUPPRESS: a sub-command's default
    must not overwrite a --debug given before it)."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="on an error, show the full traceback instead of one line")
    return parent


def command(subparsers, name: str, summary: str, description: str | None = None) -> argparse.ArgumentParser:
    """A sub-command's parser with the shared help layout and options."""
    return subparsers.add_parser(name, help=summary, description=description or summary,
                                 formatter_class=HelpFormatter, parents=[debug_option()])


def add_store_options(parser: argparse.ArgumentParser, writing: bool = False) -> None:
    """Where the graph is: the embedded store (default), a remote endpoint, or (writing) memory."""
    parser.add_argument("--store", metavar="DIR", default=DEFAULT_STORE, help="embedded Oxigraph store directory")
    parser.add_argument("--endpoint", metavar="URL",
                        help="remote SPARQL 1.1 endpoint (query URL) to use instead of --store "
                             "(default: none, the embedded store)")
    if writing:
        parser.add_argument("--update-endpoint", metavar="URL",
                            help="remote SPARQL 1.1 Update URL (default: the --endpoint URL)")
        parser.add_argument("--graph-store", metavar="URL",
                            help="write each document's graph with one Graph Store Protocol PUT here "
                                 "(Virtuoso: http://HOST:8890/sparql-graph-crud) (default: none, SPARQL Update)")
        parser.add_argument("--memory", action="store_true",
                            help="use an in-memory store, gone when the command ends (for trying things out)")
        parser.add_argument("--base", metavar="IRI", help=f"base IRI of the data (default: {BASE})")


def add_dask_option(parser: argparse.ArgumentParser) -> None:
    """`--dask [ADDRESS]`: extraction as a Dask bag over the files (policykg.graph.distributed)."""
    parser.add_argument("--dask", nargs="?", const="local", metavar="SCHEDULER",
                        help="extract on a Dask cluster: the scheduler's address (tcp://HOST:8786), or "
                             "nothing for a local cluster of one process per core (default: none, this process)")


def dask_records(args: argparse.Namespace, files: list[str], command: str):
    """(record JSON lines, files that failed) of `files` extracted on the Dask cluster that
    `args.dask` names; each failure is reported on stderr by name as it comes."""
    from policykg.graph.distributed import extract_distributed

    bar = ProgressBar() if sys.stderr.isatty() and not getattr(args, "no_progress", False) else None
    scheduler = None if args.dask == "local" else args.dask
    for item in extract_distributed(files, scheduler=scheduler, progress=bar):
        if item.error:
            if bar:
                bar.clear()
            print(f"policykg {command}: error: {item.error}", file=sys.stderr)
        else:
            yield item.record


@contextmanager
def opened_store(args: argparse.Namespace, read_only: bool) -> Iterator[GraphStore]:
    """The store the options name, closed (flushed to disk) on the way out."""
    store = open_store(
        path=args.store,
        endpoint=args.endpoint,
        update_endpoint=getattr(args, "update_endpoint", None),
        graph_store=getattr(args, "graph_store", None),
        memory=getattr(args, "memory", False),
        base=getattr(args, "base", None),
        read_only=read_only,
    )
    try:
        yield store
    finally:
        store.close()


@contextmanager
def text_output(path: str | None) -> Iterator[TextIO]:
    """The file at `path` (UTF-8), or standard output when `path` is None."""
    if path is None:
        yield sys.stdout
        sys.stdout.flush()
        return
    with open(path, "w", encoding="utf-8") as out:
        yield out


class ProgressBar:
    """A one-line progress bar, redrawn in place (carriage return) and wiped when done; called as
    `progress(done, total, label)`, the signature `policykg.graph.load.load_paths` expects."""

    def __init__(self, stream: TextIO = sys.stderr, width: int = 30):
        self.stream = stream
        self.width = width
        self.drawn = False

    def __call__(self, done: int, total: int, label: str) -> None:
        total = max(total, 1)
        filled = int(self.width * done / total)
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r[{bar}] {done}/{total} {label[:40]:<40}")
        self.stream.flush()
        self.drawn = True
        if done >= total:
            self.clear()

    def clear(self) -> None:
        if self.drawn:
            self.stream.write("\r" + " " * (self.width + 60) + "\r")
            self.stream.flush()
            self.drawn = False
