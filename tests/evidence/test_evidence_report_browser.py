"""The HTML report opens in headless Chromium with the network blocked: it renders fully,
and the browser makes no request beyond the file itself and no request fails."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from evidence_browser import CHROMIUM, visit

pytestmark = [
    pytest.mark.needs_chromium,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason="needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium)",
    ),
]

_PAGE = {
    "title": "document.title",
    "summary": "document.querySelector('#summary') && document.querySelector('#summary').innerText",
    "citation_rows": "document.querySelectorAll('#citations tbody tr').length",
    "controls": "document.querySelectorAll('#controls details').length",
    "charts": "document.querySelectorAll('#drills svg rect').length",
    "stylesheet_applied": "getComputedStyle(document.querySelector('header')).backgroundColor",
    "opened": (
        "(() => { const d = document.querySelector('#IME-GOV-02'); d.open = true; "
        "return d.querySelector('table').innerText; })()"
    ),
}


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory, bundle: Path) -> Path:
    folder = tmp_path_factory.mktemp("opened")
    with zipfile.ZipFile(bundle) as archive:
        archive.extract("report.html", folder)
    return folder / "report.html"


def test_report_renders_offline_without_any_request(report: Path) -> None:
    page = visit(report.as_uri(), _PAGE)
    assert page.loaded
    assert page.requests == [report.as_uri()]  # the page itself and nothing else
    assert page.failed == []
    assert [m for m in page.console if m.startswith("error")] == []
    values = page.values
    assert values["title"] == "imekit evidence report"
    assert "controls satisfied" in values["summary"]
    assert values["citation_rows"] > 60
    assert values["controls"] == 45
    assert values["charts"] >= 2  # RTO and RPO bars of the drill that ran
    assert values["stylesheet_applied"] == "rgb(16, 42, 67)"  # inline CSS applied
    assert "risk-analysis-report" in values["opened"]


def test_the_harness_notices_a_page_that_reaches_out(tmp_path: Path) -> None:
    """The same check on a page with external resources fails: the test can fail."""
    page_path = tmp_path / "leaky.html"
    page_path.write_text(
        '<!DOCTYPE html><html><head><link rel="stylesheet" href="https://cdn.example.com/x.css">'
        '</head><body><p id="summary">hi</p><img src="http://example.com/logo.png"></body></html>'
    )
    page = visit(page_path.as_uri(), {"summary": "document.body.innerText"})
    assert page.loaded and page.values["summary"] == "hi"
    assert len(page.requests) == 3
    assert len(page.failed) == 2  # blocked: no network here


def test_chromium_is_the_debian_package() -> None:
    assert shutil.which("chromium") is not None
