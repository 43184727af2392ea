"""The report model: a `Report` holds `Result`s, each with the `Source`s that locate it.

`Report.conforms` is true when no result has severity `sh:Violation` (Warnings and Infos are
reported but do not fail an audit), which is what the CLI's exit code follows. The Turtle report
(`Report.graph`) keeps the engine's standard `sh:conforms` (false as soon as there is any result,
per the SHACL spec).

Results are kept in one order whatever the engine: severity, shape, document, numbering path
(一, 二, …, 十, 十一; （三） before （七）), focus node, then the rest of the result.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from policykg.graph.numbering import numbering_sort_key
from rdflib import Graph

SEVERITIES = ("Violation", "Warning", "Info")
_SEVERITY_ORDER = {s: i for i, s in enumerate(SEVERITIES)}


@dataclass
class Source:
    """Where a fact stands in a source file."""

    file: str | None = None
    start: int | None = None
    end: int | None = None
    quote: str | None = None

    def sort_key(self) -> tuple:
        return (self.file or "", -1 if self.start is None else self.start, -1 if self.end is None else self.end,
                self.quote or "")


@dataclass
class Result:
    """One validation result, with what an auditor needs to find it."""

    severity: str  # Violation | Warning | Info
    focus: str  # IRI, or _:id for a blank node
    shape: str  # IRI of the shape that produced it (sh:sourceShape)
    shape_label: str
    component: str  # local name of sh:sourceConstraintComponent
    message: str
    message_zh: str | None = None
    path: str | None = None
    value: str | None = None
    focus_type: str | None = None  # local name of the focus node's pkg: class
    label: str | None = None  # the measure's (or the focus node's) label
    numbering: str | None = None  # pkg:path of the measure
    document: str | None = None  # title of the plan / document that holds it
    document_iri: str | None = None
    agencies: list[str] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)

    def key(self) -> tuple:
        """What two engines must agree on."""
        return (self.severity, self.focus, self.shape, self.component, self.path or "", self.value or "",
                self.message)

    def sort_key(self) -> tuple:
        """The report's order (total: two different results never tie)."""
        return (_SEVERITY_ORDER.get(self.severity, 9), self.shape, self.document or "",
                numbering_sort_key(self.numbering), self.focus, self.path or "", self.value or "", self.message,
                self.message_zh or "", self.component)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Report:
    results: list[Result]
    graph: Graph  # the engine's standard sh:ValidationReport
    engine: str
    inference: str
    shapes_dir: str
    data_triples: int
    timings: dict[str, float]
    shape_labels: dict[str, str] = field(default_factory=dict)

    @property
    def conforms(self) -> bool:
        """No Violation (Warnings and Infos do not fail an audit)."""
        return not any(r.severity == "Violation" for r in self.results)

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(SEVERITIES, 0)
        for r in self.results:
            counts[r.severity] = counts.get(r.severity, 0) + 1
        return counts

    def by_severity_and_shape(self) -> list[tuple[str, str, list[Result]]]:
        """Results grouped by severity (Violation first) then by shape."""
        groups: dict[tuple[str, str], list[Result]] = defaultdict(list)
        for r in self.results:
            groups[(r.severity, r.shape)].append(r)
        keys = sorted(groups, key=lambda k: (_SEVERITY_ORDER.get(k[0], 9), self.shape_labels.get(k[1], k[1]), k[1]))
        return [(sev, shape, groups[(sev, shape)]) for sev, shape in keys]
