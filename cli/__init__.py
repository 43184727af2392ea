"""policykg.cli: the `policykg` command, the only place that knows argparse.

One module per sub-command (`extract`, `load`, `dump`, `query`, `validate`, `serve`), each with
`add_parser(subparsers)` and `run(args) -> exit code`; `run` turns the options into plain
arguments of one library call (`policykg.loaders`, `policykg.graph`, the validation library,
`policykg.server.serve`). `main` builds the parser and turns errors into one line on stderr.
"""

from policykg.cli.main import build_parser, main

__all__ = ["build_parser", "main"]
