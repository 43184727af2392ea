"""Render a validation `Report` for machines and for people.

- `turtle`: the engine's standard `sh:ValidationReport`, unchanged.
- `json`: summary and one object per result (with label, document,
  numbering path, agencies and sources).
- `csv`: one row per result and source, for spreadsheets.
- `text`: grouped by severity, then shape, for a terminal.
- `html`: one self-contained page (inline CSS and JS, no network), counts at
  the top, groups by severity and shape, a table sortable by severity,
  document, agency and the other columns, and a filter box.

`render(report, fmt) -> str` picks one; `MEDIA_TYPES[fmt]` is its media type.
"""

from __future__ import annotations

import csv
import html
import io
import json

from policykg.shapes.report import SEVERITIES, Report, Result, numbering_sort_key

FORMATS = ("text", "turtle", "json", "csv", "html")

#: media type of each format (for an HTTP response)
MEDIA_TYPES = {
    "text": "text/plain; charset=utf-8",
    "turtle": "text/turtle; charset=utf-8",
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "html": "text/html; charset=utf-8",
}

CSV_COLUMNS = (
    "severity", "shape", "shape_label", "focus", "focus_type", "label", "document", "numbering",
    "agencies", "file", "start", "end", "quote", "message", "message_zh", "path", "value", "component",
    "document_iri",
)


def render(report: Report, fmt: str = "text") -> str:
    try:
        fn = _RENDERERS[fmt]
    except KeyError:
        raise ValueError(f"unknown report format {fmt!r} (choose from {', '.join(FORMATS)})") from None
    return fn(report)


def summary_line(report: Report) -> str:
    c = report.counts
    verdict = "conforms" if report.conforms else "does not conform"
    secs = sum(report.timings.values())
    return (f"{verdict}: {c['Violation']} violation(s), {c['Warning']} warning(s), {c['Info']} info(s) "
            f"in {report.data_triples} triples ({report.engine}, inference {report.inference}, {secs:.2f} s)")


# ---------------------------------------------------------------------------


def to_turtle(report: Report) -> str:
    return report.graph.serialize(format="turtle")


def to_json(report: Report) -> str:
    groups = [
        {"severity": sev, "shape": shape, "shape_label": report.shape_labels.get(shape, shape),
         "count": len(results)}
        for sev, shape, results in report.by_severity_and_shape()
    ]
    doc = {
        "conforms": report.conforms,
        "counts": report.counts,
        "engine": report.engine,
        "inference": report.inference,
        "shapes": report.shapes_dir,
        "triples": report.data_triples,
        "seconds": {k: round(v, 3) for k, v in report.timings.items()},
        "groups": groups,
        "results": [r.as_dict() for r in report.results],
    }
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


def _rows(report: Report):
    for r in report.results:
        sources = r.sources or [None]
        for s in sources:
            yield {
                "severity": r.severity, "shape": r.shape, "shape_label": r.shape_label, "focus": r.focus,
                "focus_type": r.focus_type or "", "label": r.label or "", "document": r.document or "",
                "numbering": r.numbering or "", "agencies": "、".join(r.agencies),
                "file": (s.file if s else "") or "", "start": "" if not s or s.start is None else s.start,
                "end": "" if not s or s.end is None else s.end, "quote": (s.quote if s else "") or "",
                "message": r.message, "message_zh": r.message_zh or "", "path": r.path or "",
                "value": r.value or "", "component": r.component, "document_iri": r.document_iri or "",
            }


def to_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in _rows(report):
        writer.writerow(row)
    return out.getvalue()


def _short(text: str | None, width: int = 80) -> str:
    if not text:
        return ""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _where(r: Result) -> str:
    parts = []
    if r.document:
        doc = _short(r.document, 50)
        parts.append(doc if doc.startswith("(") else f"《{doc}》")
    if r.numbering:
        parts.append(r.numbering)
    if r.label and r.label != r.document:
        parts.append(_short(r.label, 40))
    return " ".join(parts)


def to_text(report: Report) -> str:
    c = report.counts
    lines = [summary_line(report), ""]
    lines.append("  ".join(f"{sev}: {c[sev]}" for sev in SEVERITIES))
    for sev, shape, results in report.by_severity_and_shape():
        label = report.shape_labels.get(shape, shape)
        lines += ["", f"== {sev} · {label} ({len(results)})", f"   shape {shape}"]
        for r in results:
            lines.append(f" - {r.message}")
            where = _where(r)
            if where:
                lines.append(f"   at   {where}")
            lines.append(f"   node {r.focus}" + (f"  ({r.focus_type})" if r.focus_type else ""))
            if r.agencies and r.agencies != [r.label]:
                lines.append(f"   by   {'、'.join(r.agencies)}")
            if r.value and r.value != r.focus:
                lines.append(f"   value {_short(r.value, 100)}")
            for s in r.sources[:3]:
                span = f"[{s.start}:{s.end}]" if s.start is not None else ""
                quote = f" 「{_short(s.quote, 60)}」" if s.quote else ""
                lines.append(f"   src  {s.file or '?'}{span}{quote}")
    if not report.results:
        lines += ["", "No results: the graph conforms to every shape."]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------
# HTML

_CSS = """
:root{--v:#b3261e;--w:#8a5a00;--i:#1d5fa8;--bg:#fff;--fg:#1b1b1b;--mute:#666;--line:#ddd}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;
 margin:0;padding:1.2em 1.6em;color:var(--fg);background:var(--bg)}
h1{font-size:1.4em;margin:0 0 .3em} h2{font-size:1.1em;margin:1.4em 0 .4em}
.meta{color:var(--mute);margin:0 0 1em}
.counts{display:flex;gap:1em;flex-wrap:wrap;margin:.6em 0 1em}
.count{border:1px solid var(--line);border-radius:8px;padding:.5em 1em;min-width:9em;cursor:pointer;background:#fafafa}
.count b{display:block;font-size:1.8em;line-height:1.1}
.count.Violation b{color:var(--v)} .count.Warning b{color:var(--w)} .count.Info b{color:var(--i)}
.verdict{font-weight:600;padding:.3em .8em;border-radius:6px;display:inline-block}
.verdict.ok{background:#e4f4e6;color:#1e6b2c} .verdict.bad{background:#fbe3e1;color:var(--v)}
table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid var(--line);padding:.35em .5em;text-align:left;vertical-align:top}
th{background:#f3f3f3;position:sticky;top:0;cursor:pointer;white-space:nowrap;user-select:none}
th.sorted-asc::after{content:" ▲"} th.sorted-desc::after{content:" ▼"}
td.sev{font-weight:600;white-space:nowrap}
tr.Violation td.sev{color:var(--v)} tr.Warning td.sev{color:var(--w)} tr.Info td.sev{color:var(--i)}
.quote{font-family:"Noto Serif CJK SC",serif;background:#fffbe6;padding:0 .2em}
.small{color:var(--mute);font-size:.85em;word-break:break-all}
.groups td{border:none;padding:.15em .6em} .groups tr{cursor:pointer} .groups tr:hover{background:#f5f5f5}
.controls{margin:.8em 0;display:flex;gap:.6em;flex-wrap:wrap;align-items:center}
input[type=search]{padding:.35em .6em;min-width:22em;border:1px solid #bbb;border-radius:6px}
select,button{padding:.3em .5em}
.hidden{display:none}
details summary{cursor:pointer;list-style:none} details[open] summary{display:none}
@media print{.controls{display:none} th{position:static}}
"""

_JS = """
(function(){
 const table=document.getElementById('results');
 const tbody=table.tBodies[0];
 const sevOrder={Violation:0,Warning:1,Info:2};
 function cellKey(tr,col){
  const td=tr.children[col];
  if(td.dataset.sort!==undefined){return td.dataset.sort;}
  return td.textContent.trim();
 }
 function cmp(a,b){
  const na=Number(a),nb=Number(b);
  if(a!==''&&b!==''&&!isNaN(na)&&!isNaN(nb)){return na-nb;}
  return a.localeCompare(b,'zh');
 }
 let current={col:-1,dir:1};
 function sortBy(col,dir){
  const rows=Array.from(tbody.rows);
  rows.sort((x,y)=>dir*cmp(cellKey(x,col),cellKey(y,col))||(Number(x.dataset.idx)-Number(y.dataset.idx)));
  rows.forEach(r=>tbody.appendChild(r));
  table.querySelectorAll('th').forEach((th,i)=>{th.classList.toggle('sorted-asc',i===col&&dir===1);
   th.classList.toggle('sorted-desc',i===col&&dir===-1);});
  current={col:col,dir:dir};
 }
 table.querySelectorAll('th').forEach((th,i)=>th.addEventListener('click',()=>{
  sortBy(i,current.col===i?-current.dir:1);}));
 const q=document.getElementById('filter');
 const sev=document.getElementById('sev');
 const shape=document.getElementById('shape');
 function apply(){
  const text=q.value.trim().toLowerCase();
  let shown=0;
  Array.from(tbody.rows).forEach(tr=>{
   const ok=(!text||tr.textContent.toLowerCase().includes(text))&&(!sev.value||tr.dataset.sev===sev.value)
    &&(!shape.value||tr.dataset.shape===shape.value);
   tr.classList.toggle('hidden',!ok); if(ok){shown++;}
  });
  document.getElementById('shown').textContent=shown;
 }
 [q,sev,shape].forEach(el=>el.addEventListener('input',apply));
 document.querySelectorAll('[data-pick-sev]').forEach(el=>el.addEventListener('click',()=>{
  sev.value=el.dataset.pickSev; shape.value=''; apply();}));
 document.querySelectorAll('[data-pick-shape]').forEach(el=>el.addEventListener('click',()=>{
  sev.value=el.dataset.pickSev2; shape.value=el.dataset.pickShape; apply();
  table.scrollIntoView();}));
 document.getElementById('reset').addEventListener('click',()=>{q.value='';sev.value='';shape.value='';apply();});
 sortBy(0,1); apply();
})();
"""


def _e(text) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def _quote_html(quote: str | None, width: int = 90) -> str:
    """The quote as printed; a long one folds (summary: its start), still searchable by the filter."""
    if not quote:
        return ""
    if len(quote) <= width:
        return f'<br><span class="quote">{_e(quote)}</span>'
    return (f'<details><summary><span class="quote">{_e(quote[:width])}…</span></summary>'
            f'<span class="quote">{_e(quote)}</span></details>')


def _numbering_ranks(results: list[Result]) -> dict[str | None, int]:
    """Numbering path -> its rank in numbering order: the page sorts the column by number.

    The page's own collation (`localeCompare(…, 'zh')`) would sort 一 二 三 by their pinyin
    (二 六 三 四 五 一), so the column carries the rank as its sort key instead.
    """
    paths = sorted({r.numbering for r in results}, key=lambda p: (numbering_sort_key(p), p or ""))
    return {p: i for i, p in enumerate(paths)}


def to_html(report: Report) -> str:
    c = report.counts
    order = {s: i for i, s in enumerate(SEVERITIES)}
    verdict = ('<span class="verdict ok">Conforms · 符合</span>' if report.conforms
               else '<span class="verdict bad">Does not conform · 不符合</span>')
    secs = sum(report.timings.values())
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>policykg validation report</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>policykg validation report · 验证报告</h1>",
        f'<p class="meta">{verdict} &nbsp; {report.data_triples} triples · engine {_e(report.engine)} · '
        f"inference {_e(report.inference)} · {secs:.2f} s · shapes {_e(report.shapes_dir)}</p>",
        '<div class="counts">',
    ]
    zh = {"Violation": "违规", "Warning": "警告", "Info": "提示"}
    for sev in SEVERITIES:
        out.append(f'<div class="count {sev}" data-pick-sev="{sev}" title="show only {sev}">'
                   f"<b>{c[sev]}</b>{sev} · {zh[sev]}</div>")
    out.append("</div>")

    groups = report.by_severity_and_shape()
    out.append("<h2>By severity and shape · 按严重程度和规则</h2>")
    if groups:
        out.append('<table class="groups"><tbody>')
        for sev, shape, results in groups:
            label = report.shape_labels.get(shape, shape)
            out.append(
                f'<tr data-pick-sev2="{sev}" data-pick-shape="{_e(shape)}" title="{_e(shape)}">'
                f'<td class="sev" style="color:var(--{sev[0].lower()})">{sev}</td>'
                f"<td><b>{len(results)}</b></td><td>{_e(label)}</td></tr>"
            )
        out.append("</tbody></table>")
    else:
        out.append("<p>No results: the graph conforms to every shape. 没有问题。</p>")

    out.append("<h2>Results · 结果</h2>")
    out.append('<div class="controls"><input type="search" id="filter" placeholder="filter: agency, document, '
               'quote, message… 过滤">')
    out.append('<select id="sev"><option value="">all severities</option>'
               + "".join(f'<option value="{s}">{s}</option>' for s in SEVERITIES) + "</select>")
    out.append('<select id="shape"><option value="">all shapes</option>'
               + "".join(f'<option value="{_e(shape)}">{_e(report.shape_labels.get(shape, shape))} ({sev})'
                         "</option>" for sev, shape, _ in groups) + "</select>")
    out.append(f'<button id="reset">reset</button> <span><span id="shown">{len(report.results)}</span> '
               f"of {len(report.results)} shown · click a column head to sort</span></div>")
    heads = ["Severity", "Shape", "Document · 文件", "No. · 编号", "Label · 标题", "Agency · 单位",
             "Message · 说明", "Source · 出处"]
    out.append('<table id="results"><thead><tr>' + "".join(f"<th>{h}</th>" for h in heads)
               + "</tr></thead><tbody>")
    numbering_rank = _numbering_ranks(report.results)
    for idx, r in enumerate(report.results):
        sources = "".join(
            f'<div><span class="small">{_e(s.file)}'
            + (f" [{s.start}–{s.end}]" if s.start is not None else "")
            + "</span>" + _quote_html(s.quote) + "</div>"
            for s in r.sources[:3]
        )
        if len(r.sources) > 3:
            sources += f'<div class="small">+{len(r.sources) - 3} more</div>'
        msg = _e(r.message) + (f'<br><span class="small">{_e(r.message_zh)}</span>' if r.message_zh else "")
        node = f'<div class="small">{_e(r.focus)}</div>'
        if r.value and r.value != r.focus:
            node += f'<div class="small">value: {_e(r.value)}</div>'
        out.append(
            f'<tr class="{r.severity}" data-sev="{r.severity}" data-shape="{_e(r.shape)}" data-idx="{idx}">'
            f'<td class="sev" data-sort="{order.get(r.severity, 9)}">{r.severity}</td>'
            f'<td title="{_e(r.shape)}">{_e(r.shape_label)}</td>'
            f"<td>{_e(r.document)}</td>"
            f'<td data-sort="{numbering_rank[r.numbering]}">{_e(r.numbering)}</td>'
            f"<td>{_e(r.label)}{node}</td>"
            f"<td>{_e('、'.join(r.agencies))}</td>"
            f"<td>{msg}</td>"
            f"<td>{sources}</td></tr>"
        )
    out.append("</tbody></table>")
    out.append(f"<script>{_JS}</script></body></html>")
    return "\n".join(out) + "\n"


_RENDERERS = {"text": to_text, "turtle": to_turtle, "json": to_json, "csv": to_csv, "html": to_html}
