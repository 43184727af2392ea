"""The HTML report in a real browser (Debian's chromium, headless, via Playwright): it works offline,
sorts by severity, document and agency, and filters. Skips when no browser is installed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import require
from policykg.shapes import render, validate
from policykg.shapes.report import numbering_sort_key

CHROMIUM = os.environ.get("POLICYKG_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]



@pytest.fixture(scope="module")
def page_file(corpus_store, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("html") / "report.html"
    out.write_text(render(validate(corpus_store, engine="turbo"), "html"), encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def page(page_file):
    require(Path(CHROMIUM).exists(), f"the browser {CHROMIUM} (Debian's chromium)")
    from playwright import sync_api
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        pg = browser.new_page()
        requests: list[str] = []
        pg.on("request", lambda req: requests.append(req.url))
        pg.goto(page_file.as_uri())
        pg.requests = requests
        yield pg
        browser.close()


def _column(page, index: int) -> list[str]:
    return page.eval_on_selector_all(
        "#results tbody tr:not(.hidden)", f"rows => rows.map(r => r.children[{index}].innerText.trim())")


def test_offline_counts_and_default_order(page):
    assert all(u.startswith("file:") for u in page.requests), page.requests
    assert page.locator(".count.Violation b").inner_text() != "0"
    sev = _column(page, 0)
    order = {"Violation": 0, "Warning": 1, "Info": 2}
    assert [order[s] for s in sev] == sorted(order[s] for s in sev)


def _sorted_in_browser(page, index: int, direction: int = 1) -> bool:
    """Consecutive rows are in the page's own (Chinese-aware) collation order."""
    return page.eval_on_selector_all("#results tbody tr", f"""rows => {{
        const v = rows.map(r => r.children[{index}].textContent.trim());
        return v.every((x, i) => i === 0 || {direction} * v[i - 1].localeCompare(x, 'zh') <= 0);
    }}""")


def test_sort_by_document_agency_and_back_by_severity(page):
    heads = page.locator("#results thead th")
    heads.nth(2).click()  # document
    assert _sorted_in_browser(page, 2)
    heads.nth(5).click()  # agency
    assert _sorted_in_browser(page, 5)
    assert any(_column(page, 5)), "some results name an agency"
    heads.nth(5).click()  # reversed
    assert _sorted_in_browser(page, 5, -1)
    heads.nth(0).click()  # severity
    assert _column(page, 0)[0] == "Violation"
    heads.nth(0).click()
    assert _column(page, 0)[0] == "Info"


def test_sort_by_numbering_is_numeric(page):
    """一 二 三 …, not their pinyin order (二 六 三 四 五 一) as the page's zh collation would give."""
    heads = page.locator("#results thead th")
    heads.nth(3).click()
    paths = [p for p in _column(page, 3) if p]
    assert len(set(paths)) > 10
    keys = [numbering_sort_key(p) for p in paths]
    assert keys == sorted(keys)
    heads.nth(0).click()


def test_filter_and_severity_pick(page):
    page.fill("#filter", "004_9e585d2b347181be.txt")
    shown = int(page.locator("#shown").inner_text())
    assert 0 < shown < page.locator("#results tbody tr").count()
    page.click("#reset")
    page.click(".count.Warning")
    assert set(_column(page, 0)) == {"Warning"}
    page.click("#reset")
