"""Numbering paths of measures (二/（一）/3), for the server and the validation reports.

The numeral parser and the canonical form of a path live in the loaders, one of
each in the project; this module is how code that may not import the loaders
(the server, the validation package) reaches them.
"""

from __future__ import annotations

import re

from policykg.loaders import canonical_path as canonical_path
from policykg.loaders import cn_to_int as cn_to_int

_NUMBERED = re.compile(r"(?:part|\()?(\d+)\)?")


def numbering_sort_key(path: str | None) -> tuple[tuple[int, int, str], ...]:
    """Sort key of a numbering path as printed, comparing levels as numbers.

    二/（十）/3 sorts after 二/（二）/12, 第十部分 after 第二部分; a level that is no
    number (附件) sorts after the numbered ones of its level, by its text.
    """
    if not path:
        return ()
    key = []
    for part in path.split("/"):
        m = _NUMBERED.fullmatch(canonical_path(part))
        key.append((0, int(m.group(1)), "") if m else (1, 0, part))
    return tuple(key)
