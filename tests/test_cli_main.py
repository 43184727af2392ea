"""The `policykg` executable itself: version, help with defaults, errors as one line or a traceback."""

from __future__ import annotations

import ast
import os
import re
import subprocess
from importlib import metadata
from pathlib import Path

import pytest
from conftest import CORPUS, POLICYKG, ROOT

COMMANDS = ["extract", "load", "dump", "query", "validate", "serve"]


def policykg(*argv: str, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([POLICYKG, *argv], capture_output=True, text=True, timeout=timeout,
                          env=dict(os.environ, **(env or {})))


def test_version_is_the_installed_distribution():
    result = policykg("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"policykg {metadata.version('policykg')}"


def _options(help_text: str) -> dict[str, tuple[str, str]]:
    """Each option of a --help text: long name -> (how it is written, its help text)."""
    options: dict[str, tuple[str, str]] = {}
    current = None
    for line in help_text.splitlines():
        if line.startswith("  -"):
            invocation, _, words = line.strip().partition("  ")
            current = re.findall(r"--[\w-]+", invocation)[-1]
            options[current] = (invocation, words.strip())
        elif current and line.startswith("   "):
            invocation, words = options[current]
            options[current] = (invocation, f"{words} {line.strip()}".strip())
        else:
            current = None
    return options


@pytest.mark.parametrize("command", COMMANDS)
def test_every_option_has_help_and_shows_its_default(command):
    result = policykg(command, "--help")
    assert result.returncode == 0, result.stderr
    options = _options(result.stdout)
    assert {"--help", "--debug"} <= set(options)
    for name, (invocation, words) in options.items():
        assert words, f"policykg {command} {name}: no help text"
        if re.search(r"--[\w-]+ \S", invocation):  # takes a value (flags are simply off by default)
            assert "(default: " in words, f"policykg {command} {name} does not show its default: {words}"


def test_help_shows_the_one_default_store():
    from policykg.graph.store import DEFAULT_STORE

    for command in ("load", "dump", "query"):
        words = _options(policykg(command, "--help").stdout)["--store"][1]
        assert f"(default: {DEFAULT_STORE})" in words


# ------------------------------------------------------------------ errors

# A bug planted at start-up (sitecustomize runs before the command): the extractor raises
# KeyError, as a real extractor bug would, past the "file cannot be read" handling.
_PLANTED_BUG = """
import policykg.loaders.batch as batch

def extract_file(path):
    raise KeyError("planted")

batch.extract_file = extract_file
"""


@pytest.fixture
def planted_bug(tmp_path) -> dict:
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(_PLANTED_BUG, encoding="utf-8")
    return {"PYTHONPATH": str(site)}


def test_an_internal_error_is_one_line_without_debug(planted_bug):
    text = str(next(CORPUS.glob("*.txt")))
    result = policykg("extract", text, env=planted_bug)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("policykg extract: internal error: KeyError: 'planted'")
    assert "--debug" in lines[0]
    assert result.stdout == ""


@pytest.mark.parametrize("where", ["before", "after"])
def test_debug_shows_the_traceback(planted_bug, where):
    text = str(next(CORPUS.glob("*.txt")))
    argv = ["--debug", "extract", text] if where == "before" else ["extract", "--debug", text]
    result = policykg(*argv, env=planted_bug)
    assert result.returncode != 0
    assert "Traceback (most recent call last)" in result.stderr
    assert 'KeyError: \'planted\'' in result.stderr
    assert "batch.py" in result.stderr  # where the planted bug struck


def test_an_input_error_is_one_line_naming_what_failed(tmp_path):
    result = policykg("query", "ASK { ?s ?p ?o }", "--store", str(tmp_path / "nothing"))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert result.stderr.startswith("policykg query: error: ") and "nothing" in result.stderr
    assert "internal error" not in result.stderr


def test_serve_without_a_store_says_so_in_one_line(tmp_path):
    missing = tmp_path / "no-store"
    result = policykg("serve", "--store", str(missing), "--port", "1", timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip() == (f"policykg serve: error: no store at {missing} "
                                     f"(run `policykg load FILES --store {missing}` first)")


def test_serve_reads_the_store_from_the_environment_when_not_given(tmp_path):
    missing = tmp_path / "env-store"
    result = policykg("serve", "--port", "1", env={"POLICYKG_STORE": str(missing)}, timeout=60)
    assert result.returncode == 2 and f"no store at {missing}" in result.stderr


# ------------------------------------------------------------------ the CLI is the only argparse user


def test_only_the_cli_imports_argparse():
    offenders = []
    for room in ("graph", "loaders", "server", "shapes", "analysis"):
        for path in sorted((ROOT / room).rglob("*.py")) if (ROOT / room).is_dir() else []:
            if "node_modules" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                         else [node.module] if isinstance(node, ast.ImportFrom) else [])
                if any(n and n.split(".")[0] == "argparse" for n in names):
                    offenders.append(str(Path(path).relative_to(ROOT)))
    assert offenders == []
