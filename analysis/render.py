"""Metrics for people (an aligned terminal table) and for tools (JSON, CSV)."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import unicodedata

from .metrics import Metrics

#: the tables of a Metrics, by the name `render_csv` and `policykg analyze --table` use
TABLES = ("agencies", "collectives", "communities", "diffused", "leaderless", "functions", "jurisdictions")


def to_dict(m: Metrics) -> dict:
    return dataclasses.asdict(m)


def render_json(m: Metrics) -> str:
    return json.dumps(to_dict(m), ensure_ascii=False, indent=2) + "\n"


def _cell(value) -> str:
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".") if value else "0"
    if isinstance(value, list):
        return " | ".join(f"{v[0]} ({v[1]})" if isinstance(v, tuple | list) else str(v) for v in value)
    return "" if value is None else str(value)


def table_rows(m: Metrics, table: str) -> tuple[list[str], list[list]]:
    """Header and rows of one table of `m` (see TABLES)."""
    if table not in TABLES:
        raise ValueError(f"unknown table {table!r} (one of {', '.join(TABLES)})")
    rows = getattr(m, table)
    if not rows:
        return [], []
    header = [f.name for f in dataclasses.fields(rows[0])]
    return header, [[getattr(r, h) for h in header] for r in rows]


def render_csv(m: Metrics, table: str = "agencies") -> str:
    header, rows = table_rows(m, table)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow([_cell(v) for v in r])
    return buf.getvalue()


def _width(text: str) -> int:
    # CJK characters take two terminal columns
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int, right: bool) -> str:
    fill = " " * max(width - _width(text), 0)
    return fill + text if right else text + fill


def _clip(text: str, limit: int = 40) -> str:
    out, w = "", 0
    for c in text:
        w += _width(c)
        if w > limit - 1:
            return out + "…"
        out += c
    return out


def aligned(header: list[str], rows: list[list]) -> str:
    cells = [[_clip(_cell(v)) for v in r] for r in rows]
    numeric = [all(isinstance(r[i], int | float) for r in rows) for i in range(len(header))]
    widths = [max([_width(h)] + [_width(r[i]) for r in cells]) for i, h in enumerate(header)]
    lines = ["  ".join(_pad(h, widths[i], numeric[i]) for i, h in enumerate(header)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(_pad(r[i], widths[i], numeric[i]) for i in range(len(header))).rstrip() for r in cells]
    return "\n".join(lines)


def render_table(m: Metrics, limit: int = 15) -> str:
    s = m.summary
    out = [f"Agency network: {s.scope} — {s.plans} plans, {s.measures} measures ({s.owned_measures} owned, "
           f"{s.unowned_measures} without owner), {s.agencies} agencies, {s.collectives} collectives, "
           f"{s.obligations} obligations",
           f"Owned only by collectives: {s.collective_only} ({s.collective_only_share:.1%}); "
           f"more than {m.max_owners} agencies: {s.diffused}; several owners and no lead: {s.leaderless}; "
           f"communities: {s.communities} (modularity {s.modularity})"]
    if m.betweenness_sources:
        out.append(f"(betweenness estimated from {m.betweenness_sources} sources)")
    sections = [
        ("Agencies by obligations (collectives apart, below)",
         ["agency", "jurisdiction", "lead", "resp.", "inherited", "measures", "plans", "partners", "w.degree",
          "betweenness", "community"],
         [[r.name, r.jurisdiction, r.lead, r.responsible, r.inherited, r.measures, r.plans, r.partners,
           r.weighted_degree, r.betweenness, r.community] for r in m.agencies[:limit]], len(m.agencies)),
        ("Collective owners",
         ["collective", "jurisdiction", "lead", "resp.", "inherited", "measures", "plans", "sole owner"],
         [[r.name, r.jurisdiction, r.lead, r.responsible, r.inherited, r.measures, r.plans, r.sole_owner]
          for r in m.collectives[:limit]], len(m.collectives)),
        ("Communities of co-owning agencies",
         ["#", "size", "measures", "biggest members", "dominant plans"],
         [[r.id, r.size, r.measures, r.members[:3], r.dominant_plans[:2]] for r in m.communities[:limit]],
         len(m.communities)),
        (f"Diffused responsibility (more than {m.max_owners} agencies)",
         ["measure", "plan", "path", "agencies", "collectives"],
         [[r.label, r.plan, r.path, r.agencies, r.collectives] for r in m.diffused[:limit]], len(m.diffused)),
        (f"Function across jurisdictions{f' (measures on {m.topic})' if m.topic else ''}",
         ["function", "jurisdiction", "agency", "measures", "lead", "share"],
         [[r.function, r.jurisdiction, r.agencies, r.measures, r.lead, f"{r.share:.1%}"]
          for r in m.functions[: limit * 3]], len(m.functions)),
    ]
    if m.jurisdictions:
        sections.insert(0, ("By jurisdiction",
                            ["jurisdiction", "plans", "measures", "owned", "agencies", "collectives",
                             "coll. only", "diffused", "no lead", "communities"],
                            [[j.scope, j.plans, j.measures, j.owned_measures, j.agencies, j.collectives,
                              f"{j.collective_only_share:.1%}", j.diffused, j.leaderless, j.communities]
                             for j in m.jurisdictions], len(m.jurisdictions)))
    for title, header, rows, total in sections:
        if not rows:
            continue
        more = f" (first {len(rows)} of {total})" if total > len(rows) else ""
        out += ["", f"{title}{more}", aligned(header, rows)]
    return "\n".join(out) + "\n"
