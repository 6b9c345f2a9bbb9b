"""The auditor's HTML report: one self-contained file that opens offline.

Inline CSS, inline SVG charts, no scripts, no fonts, no images, no links outside the page,
and a Content-Security-Policy that forbids loading anything, so the report cannot reach
the network even when opened from a mail attachment.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from html import escape
from typing import Any

from imekit.evidence.canonical import utc_timestamp
from imekit.evidence.catalog_view import CatalogView
from imekit.evidence.entry import Entry
from imekit.evidence.status import ControlStatus, StatusReport
from imekit.status import SEVERITY_ORDER, Status

_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'"
)
_CSS = """
:root{--pass:#1f7a3a;--fail:#b3261e;--unknown:#5f6368;--missing:#c25e00;--stale:#a07000;
--waived:#1a5fb4;--inherited:#00796b;--na:#8a8f98;--line:#d9dce1;--bg:#f7f8fa}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
margin:0;color:#1d2025;background:#fff}
header{background:#102a43;color:#fff;padding:20px 32px}
header h1{margin:0 0 4px;font-size:22px}
header p{margin:2px 0;color:#d9e2ec}
main{padding:12px 32px 48px;max-width:1200px}
h2{font-size:18px;margin:28px 0 8px;border-bottom:2px solid var(--line);padding-bottom:4px}
h3{font-size:15px;margin:18px 0 6px}
table{border-collapse:collapse;width:100%;margin:6px 0 12px}
th,td{text-align:left;vertical-align:top;padding:5px 8px;border-bottom:1px solid var(--line)}
th{background:var(--bg);font-weight:600}
td.cite{white-space:nowrap}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
.badge{display:inline-block;min-width:92px;text-align:center;padding:1px 8px;border-radius:10px;
color:#fff;font-size:12px;font-weight:600}
.s-pass{background:var(--pass)}.s-fail{background:var(--fail)}.s-unknown{background:var(--unknown)}
.s-missing{background:var(--missing)}.s-stale{background:var(--stale)}
.s-waived{background:var(--waived)}.s-inherited{background:var(--inherited)}
.s-not-applicable{background:var(--na)}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:10px 0}
.card{border:1px solid var(--line);border-radius:8px;padding:8px 14px;min-width:110px}
.card b{display:block;font-size:22px}
.stackbar{display:flex;height:18px;border-radius:9px;overflow:hidden;margin:8px 0 4px;
border:1px solid var(--line)}
.stackbar div{height:100%}
.verdict{font-size:16px;font-weight:600;margin:8px 0}
details{border:1px solid var(--line);border-radius:6px;margin:6px 0;padding:0 10px}
details[open]{padding-bottom:8px}
summary{cursor:pointer;padding:7px 0;list-style-position:inside}
summary .title{margin-left:8px}
.muted{color:#5f6368}
.drill{border:1px solid var(--line);border-radius:8px;padding:10px 14px;margin:10px 0}
svg{display:block;margin:6px 0}
svg text{font:12px system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}
footer{margin-top:32px;color:#5f6368;font-size:12px}
"""


@dataclass
class ReportContext:
    created: str
    period_from: str | None
    period_to: str | None
    store: str
    signer_key_id: str
    chain_first: int
    chain_last: int
    kit_version: str


def render_report(
    catalog: CatalogView,
    report: StatusReport,
    entries: dict[int, Entry],
    context: ReportContext,
) -> bytes:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>imekit evidence report</title>",
        f"<style>{_CSS}</style></head><body>",
        _header(report, context),
        "<main>",
        _summary(report),
        _citations(catalog, report),
        _drills(catalog, entries),
        _controls(report, entries),
        _entries(entries),
        _verification(context),
        "</main></body></html>",
    ]
    return "\n".join(parts).encode("utf-8")


def _badge(status: Status) -> str:
    return f'<span class="badge s-{status.value}">{escape(status.value)}</span>'


def _header(report: StatusReport, context: ReportContext) -> str:
    period = f"{context.period_from or 'the first entry'} to {context.period_to or 'the export'}"
    return (
        "<header><h1>HIPAA Security Rule evidence report</h1>"
        f"<p>Status at {escape(utc_timestamp(report.at))}; period "
        f"{escape(period)}; catalog {escape(report.catalog_version)}</p>"
        f"<p>Evidence entries {context.chain_first}-{context.chain_last} from "
        f'<span class="mono">{escape(context.store)}</span>; bundle signed by key '
        f'<span class="mono">{escape(context.signer_key_id[:16])}</span>; generated '
        f"{escape(context.created)} by imekit {escape(context.kit_version)}</p></header>"
    )


def _summary(report: StatusReport) -> str:
    counts = Counter(c.status for c in report.controls)
    total = len(report.controls)
    satisfied = sum(1 for c in report.controls if c.status.is_satisfied)
    verdict = (
        "All controls are satisfied."
        if satisfied == total
        else f"{total - satisfied} need attention."
    )
    cards = "".join(
        f'<div class="card">{_badge(s)}<b>{counts.get(s, 0)}</b></div>'
        for s in SEVERITY_ORDER
        if counts.get(s, 0)
    )
    bar = "".join(
        f'<div class="s-{s.value}" style="width:{100 * counts[s] / total:.3f}%" '
        f'title="{s.value}: {counts[s]}"></div>'
        for s in SEVERITY_ORDER
        if counts.get(s, 0)
    )
    return (
        '<section id="summary"><h2>Summary</h2>'
        f'<p class="verdict">{satisfied} of {total} controls satisfied. {escape(verdict)}</p>'
        f'<div class="stackbar" role="img" aria-label="control statuses">{bar}</div>'
        f'<div class="cards">{cards}</div>'
        '<p class="muted">Satisfied means pass, waived, inherited or not applicable. '
        "Unknown, missing and stale are never counted as met.</p></section>"
    )


def _citations(catalog: CatalogView, report: StatusReport) -> str:
    rows: list[str] = []
    section = None
    for item in report.citations:
        current = item.requirement.citation.split("(")[0]
        if current != section:
            section = current
            title = catalog.sections.get(current, "")
            rows.append(f'<tr><th colspan="4">45 CFR {escape(current)} {escape(title)}</th></tr>')
        links = ", ".join(f'<a href="#{escape(c)}">{escape(c)}</a>' for c in item.controls)
        if links and item.reason.endswith("specifications"):
            links += '<div class="muted">and its implementation specifications below</div>'
        rows.append(
            f'<tr><td class="mono cite">{escape(item.requirement.citation)}</td>'
            f"<td>{escape(item.requirement.title)}"
            f'<div class="muted">{escape(item.requirement.obligation)} '
            f"{escape(item.requirement.kind)}</div></td>"
            f"<td>{_badge(item.status)}</td>"
            f"<td>{links or escape(item.reason)}</td></tr>"
        )
    return (
        '<section id="citations"><h2>Summary by citation</h2>'
        "<table><thead><tr><th>Citation</th><th>Requirement</th><th>Status</th>"
        f"<th>Controls</th></tr></thead><tbody>{''.join(rows)}</tbody></table></section>"
    )


def _drills(catalog: CatalogView, entries: dict[int, Entry]) -> str:
    runs: dict[str, list[Entry]] = {}
    for entry in entries.values():
        if entry.kind == "drill":
            runs.setdefault(str(entry.summary.get("drill", "?")), []).append(entry)
    expected = sorted({d for c in catalog.controls for d in c.drills})
    blocks = []
    never = [d for d in expected if d not in runs]
    for drill in sorted(runs):
        drill_runs = sorted(runs[drill], key=lambda e: e.seq)
        last = drill_runs[-1]
        history = "".join(
            f'<tr><td><a href="#entry-{e.seq}">{e.seq}</a></td>'
            f"<td>{escape(e.doc['ended'])}</td><td>{escape(e.result)}</td>"
            f"<td>{_measure_text(e.summary.get('rto'))}</td>"
            f"<td>{_measure_text(e.summary.get('rpo'))}</td></tr>"
            for e in drill_runs
        )
        verdict = Status.PASS if last.result == "passed" else Status.FAIL
        blocks.append(
            f'<div class="drill" id="drill-{escape(drill)}"><h3>{escape(drill)}</h3>'
            f'{_badge(verdict)} <span class="muted">last run {escape(last.doc["ended"])}: '
            f"{escape(last.result)}</span>"
            f"{_measure_chart(drill, last.summary)}"
            "<table><thead><tr><th>Entry</th><th>Ended</th><th>Result</th><th>RTO</th>"
            f"<th>RPO</th></tr></thead><tbody>{history}</tbody></table></div>"
        )
    if never:
        blocks.append(
            f"<p>{_badge(Status.MISSING)} No run in this bundle: "
            + ", ".join(f"<b>{escape(d)}</b>" for d in never)
            + "</p>"
        )
    body = "".join(blocks) or '<p class="muted">The catalog lists no drills.</p>'
    return (
        '<section id="drills"><h2>Drills: recovery time and recovery point</h2>'
        '<p class="muted">Bars show the measured value of the latest run; the dashed line is '
        "the target. Green met the target, red missed it.</p>"
        f"{body}</section>"
    )


def _duration(seconds: float) -> str:
    seconds = float(seconds)
    if seconds < 60:
        return f"{seconds:.1f}s" if seconds < 10 else f"{seconds:.0f}s"
    minutes, rest = divmod(int(round(seconds)), 60)
    if minutes < 60:
        return f"{minutes}m {rest:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m"


def _measure_text(measure: Any) -> str:
    if not isinstance(measure, dict) or measure.get("measured_seconds") is None:
        return '<span class="muted">not measured</span>'
    text = _duration(measure["measured_seconds"])
    if measure.get("target_seconds") is not None:
        text += f" / target {_duration(measure['target_seconds'])}"
        text += " (met)" if measure.get("met") else " (missed)"
    return escape(text)


def _measure_chart(drill: str, summary: dict[str, Any]) -> str:
    rows = [
        (name.upper(), summary.get(name))
        for name in ("rto", "rpo")
        if isinstance(summary.get(name), dict) and summary[name].get("measured_seconds") is not None
    ]
    if not rows:
        return '<p class="muted">No RTO or RPO was measured in the latest run.</p>'
    width, label_w, row_h = 640, 60, 34
    plot_w = width - label_w - 150
    scale = (
        max(max(float(m["measured_seconds"]), float(m.get("target_seconds") or 0)) for _, m in rows)
        * 1.1
        or 1.0
    )
    height = row_h * len(rows) + 10
    shapes = []
    for index, (name, measure) in enumerate(rows):
        y = 6 + index * row_h
        measured = float(measure["measured_seconds"])
        target = measure.get("target_seconds")
        met = target is None or measured <= float(target)
        colour = "#1f7a3a" if met else "#b3261e"
        bar_w = max(2.0, plot_w * measured / scale)
        shapes.append(f'<text x="0" y="{y + 17}">{name}</text>')
        shapes.append(
            f'<rect x="{label_w}" y="{y + 4}" width="{bar_w:.1f}" height="18" rx="3" '
            f'fill="{colour}"><title>{name} measured {_duration(measured)}</title></rect>'
        )
        label = _duration(measured)
        if target is not None:
            tx = label_w + plot_w * float(target) / scale
            shapes.append(
                f'<line x1="{tx:.1f}" x2="{tx:.1f}" y1="{y}" y2="{y + 26}" stroke="#102a43" '
                'stroke-width="2" stroke-dasharray="4 3"/>'
            )
            label += f" (target {_duration(float(target))})"
        shapes.append(
            f'<text x="{label_w + max(bar_w, plot_w * float(target or 0) / scale) + 6:.1f}" '
            f'y="{y + 17}">{escape(label)}</text>'
        )
    return (
        f'<svg role="img" aria-label="{escape(drill)} RTO and RPO" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}">{"".join(shapes)}</svg>'
    )


def _controls(report: StatusReport, entries: dict[int, Entry]) -> str:
    blocks = []
    by_severity = sorted(
        report.controls, key=lambda c: (SEVERITY_ORDER.index(c.status), c.control.id)
    )
    for item in by_severity:
        blocks.append(_control_block(item, entries))
    return (
        '<section id="controls"><h2>Controls</h2>'
        '<p class="muted">Worst first. Open a control to see the evidence behind its status.'
        f"</p>{''.join(blocks)}</section>"
    )


def _control_block(item: ControlStatus, entries: dict[int, Entry]) -> str:
    spec = item.control
    rows = "".join(
        f"<tr><td>{escape(p.source)}</td><td>{escape(p.name)}</td><td>{_badge(p.status)}</td>"
        f"<td>{escape(p.reason)}</td><td>"
        + ", ".join(f'<a href="#entry-{seq}">{seq}</a>' for seq in p.entries if seq in entries)
        + "</td></tr>"
        for p in item.parts
    )
    how = []
    if spec.rego:
        how.append("Rego rules: " + ", ".join(f"<code>{escape(r)}</code>" for r in spec.rego))
    if spec.checkov:
        how.append("checkov: " + ", ".join(f"<code>{escape(c)}</code>" for c in spec.checkov))
    if spec.drills:
        how.append("Drills: " + ", ".join(escape(d) for d in spec.drills))
    if spec.manual:
        how.append(
            "Manual evidence: "
            + "; ".join(
                f"{escape(m.title)} ({escape(m.owner)}, {escape(m.frequency)})" for m in spec.manual
            )
        )
    if spec.inherited:
        how.append("Inherited: " + escape(spec.inherited))
    return (
        f'<details id="{escape(spec.id)}"><summary>{_badge(item.status)}'
        f'<span class="title"><b>{escape(spec.id)}</b> {escape(spec.title)}</span></summary>'
        f"<p>{escape(spec.summary)}</p>"
        f'<p class="muted">Citations: {escape(", ".join("45 CFR " + c for c in spec.citations))}'
        f"</p><p>{'<br>'.join(how)}</p>"
        "<table><thead><tr><th>Source</th><th>Evidence</th><th>Status</th><th>Why</th>"
        f"<th>Entries</th></tr></thead><tbody>{rows}</tbody></table></details>"
    )


def _entries(entries: dict[int, Entry]) -> str:
    rows = []
    for seq in sorted(entries):
        entry = entries[seq]
        doc = entry.doc
        what = entry.kind
        if entry.kind == "drill":
            what += f": {entry.summary.get('drill', '')}"
        elif entry.manual:
            what += f": {entry.manual.get('control', '')} {entry.manual.get('item', '')}"
        commit = str(doc["source"].get("commit", "unknown"))[:12]
        # Where each attached file is in the bundle: plain text, so the page links nowhere.
        files = "".join(
            f'<div class="muted">{escape(str(a["name"]))}: '
            f'<span class="mono" title="attachments/sha256/{escape(str(a["sha256"]))}">'
            f"attachments/sha256/{escape(str(a['sha256'])[:16])}…</span></div>"
            for a in doc["attachments"]
        )
        rows.append(
            f'<tr id="entry-{seq}"><td>{seq}</td><td>{escape(doc["recorded_at"])}</td>'
            f"<td>{escape(what)}{files}</td><td>{escape(entry.result)}</td>"
            f"<td>{escape(str(doc['source'].get('stack') or ''))}</td>"
            f'<td class="mono">{escape(commit)}</td>'
            f'<td class="mono" title="{entry.hash}">{entry.hash[:16]}</td></tr>'
        )
    return (
        '<section id="entries"><h2>Evidence entries</h2>'
        '<p class="muted">The hash-chained entries in this bundle (chain/entries/). Each entry '
        "holds the hash of the one before it.</p>"
        "<table><thead><tr><th>#</th><th>Recorded</th><th>What</th><th>Result</th>"
        "<th>Stack</th><th>Commit</th><th>SHA-256</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></section>"
    )


def _verification(context: ReportContext) -> str:
    return (
        '<section id="verify"><h2>Verifying this bundle</h2>'
        "<p>This report is one file of a signed bundle. To check that nothing in the bundle "
        "was changed, dropped or reordered since it was exported, run:</p>"
        "<p><code>imekit evidence verify bundle.zip --public-key imekit-evidence.pub</code></p>"
        f"<p>The bundle is signed with Ed25519 key <code>{escape(context.signer_key_id)}</code>; "
        "pin the public key you obtained from the security official, not the one in the "
        "bundle.</p></section><footer>Generated by imekit. No scripts, fonts or network "
        "resources are used by this page.</footer>"
    )
