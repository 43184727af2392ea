"""The one error validation raises on bad input: the message names the file at fault."""

from __future__ import annotations


class ValidateError(Exception):
    """Validation could not run: bad data, bad shapes, unknown engine. Names the file."""


def one_line(exc: BaseException) -> str:
    """An exception as one short line, for an error message that must fit a terminal."""
    text = " ".join(str(exc).split())
    return text[:400] if text else type(exc).__name__
