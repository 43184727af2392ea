"""What the sub-commands share: the help layout, the store options, a progress bar on stderr."""

from __future__ import annotations

import argparse
import contextlib
import os
import stat
import sys
import tempfile
import time
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
    """The file at `path` (UTF-8), or standard output when `path` is None.

    A file is written whole or not at all: into a temporary file beside it, renamed over it
    when the block ends without an error (an interrupted run leaves the old file as it was).
    A path that is not a regular file (/dev/stdout, a FIFO) is written directly."""
    if path is None:
        yield sys.stdout
        sys.stdout.flush()
        return
    if os.path.exists(path) and not os.path.isfile(path):
        with open(path, "w", encoding="utf-8") as out:
            yield out
        return
    target = os.path.abspath(path)
    fd, temporary = tempfile.mkstemp(prefix=f".{os.path.basename(target)}.", suffix=".tmp",
                                     dir=os.path.dirname(target))
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, _mode_for(target))
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _mode_for(target: str) -> int:
    """The permissions the output gets: those of the file it replaces, else what umask allows."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def add_max_bytes_option(parser: argparse.ArgumentParser) -> None:
    """`--max-bytes SIZE`: the largest text file read (None: the loaders' default)."""
    from policykg.loaders import DEFAULT_MAX_BYTES

    parser.add_argument("--max-bytes", type=byte_size, default=None, metavar="SIZE",
                        help=f"refuse a text file larger than this: bytes, or with K, M or G (1G) "
                             f"(default: {DEFAULT_MAX_BYTES // 2 ** 20}M; extraction holds about 25 bytes of "
                             f"memory per byte of text)")


def byte_size(value: str) -> int:
    """An argparse type: a number of bytes, with an optional K, M or G (powers of 1024)."""
    text = value.strip().upper().removesuffix("B").removesuffix("I")
    factor = 1
    if text and text[-1] in "KMG":
        factor = 1024 ** ("KMG".index(text[-1]) + 1)
        text = text[:-1]
    try:
        number = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size: {value!r} (bytes, or with K, M or G: 64M)") from None
    if not 0 < number * factor <= 2 ** 62:  # (NaN and infinity fail this too)
        raise argparse.ArgumentTypeError(f"not a usable size: {value!r}")
    return int(number * factor)


class ProgressBar:
    """A one-line progress bar, redrawn in place (carriage return) and wiped when done; called as
    `progress(done, total, label)`, the signature `policykg.graph.load.load_paths` expects."""

    def __init__(self, stream: TextIO | None = None, width: int = 30, steps: bool = False):
        self.stream = stream if stream is not None else sys.stderr
        self.width = width
        self.steps = steps  # count steps ("step 2/4"), not items
        self.drawn = False
        self.started = time.monotonic()

    def __call__(self, done: int, total: int, label: str) -> None:
        total = max(total, 1)
        filled = int(self.width * done / total)
        bar = "#" * filled + "-" * (self.width - filled)
        count = f"step {done + 1}/{total}" if self.steps and done < total else f"{done}/{total}"
        elapsed = time.monotonic() - self.started
        eta = ""
        if not self.steps and 0 < done < total:
            eta = f" ~{elapsed / done * (total - done):.0f} s left"
        self.stream.write(f"\r[{bar}] {count} {label[-40:]:<40}{eta:<16}")
        self.stream.flush()
        self.drawn = True
        if done >= total:
            self.clear()

    def clear(self) -> None:
        if self.drawn:
            self.stream.write("\r" + " " * (self.width + 80) + "\r")
            self.stream.flush()
            self.drawn = False
