"""A real browser (Debian's chromium, headless, driven by Playwright) on the running server.

Never downloads a browser: it uses /usr/bin/chromium (or POLICYKG_CHROMIUM) and fails, naming it, when that
is missing. YASGUI must have been vendored by the project's set-up (.ci/install).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import require

CHROMIUM = os.environ.get("POLICYKG_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
VENDOR = Path(__file__).resolve().parents[1] / "server" / "static" / "vendor" / "yasgui" / "yasgui.min.js"
BASE = "https://w3id.org/policykg/id/"



@pytest.fixture(scope="module")
def browser():
    require(Path(CHROMIUM).exists(), f"the browser {CHROMIUM} (Debian's chromium)")
    from playwright import sync_api
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


def _external_requests(page, server_url: str) -> list[str]:
    seen: list[str] = []
    page.on("request", lambda req: seen.append(req.url) if not req.url.startswith((server_url, "data:", "blob:"))
            else None)
    return seen


def test_home_and_yasgui_runs_a_canned_query(browser, corpus_server):
    require(VENDOR.exists(), "YASGUI, vendored under server/static/vendor,")
    page = browser.new_page()
    external = _external_requests(page, corpus_server.url)
    page.goto(corpus_server.url + "/")
    assert page.locator("[data-stat=measures]").inner_text().strip() not in ("", "0")
    page.click("text=Query")
    page.wait_for_function("window.policykgYasgui !== undefined", timeout=20000)
    page.select_option("#canned", "top-owners")
    # YASR renders the result table; wait for rows
    page.wait_for_selector(".yasr table tbody tr", timeout=30000)
    rows = page.locator(".yasr table tbody tr")
    assert rows.count() >= 5
    assert "各" in page.locator(".yasr").inner_text() or "市" in page.locator(".yasr").inner_text()
    assert external == [], f"the page fetched from elsewhere: {external}"
    page.close()


def test_measure_page_shows_source_quote(browser, corpus_server):
    import pyoxigraph as ox

    store = ox.Store.read_only(corpus_server.store)
    row = next(iter(store.query("""PREFIX pkg: <https://w3id.org/policykg/ontology#>
        PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX oa: <http://www.w3.org/ns/oa#>
        SELECT ?m ?exact WHERE { ?m a pkg:Measure ; prov:wasDerivedFrom/oa:hasSelector/oa:exact ?exact }
        ORDER BY ?m LIMIT 1""", use_default_graph_as_union=True)))
    del store
    iri, exact = row["m"].value, row["exact"].value
    page = browser.new_page()
    page.goto(corpus_server.url + "/id/" + iri[len(BASE):])
    quote = page.locator("blockquote.source-quote").first
    assert quote.is_visible()
    texts = page.locator("blockquote.source-quote").all_inner_texts()
    assert any(exact.strip()[:30] in t for t in texts)
    assert page.title().endswith("policykg")
    page.close()


def test_yasgui_says_when_the_result_was_truncated(browser, corpus_store):
    require(VENDOR.exists(), "YASGUI, vendored under server/static/vendor,")
    from conftest import RunningServer

    server = RunningServer(corpus_store, ["--max-rows", "5", "--workers", "1"])
    try:
        page = browser.new_page()
        page.goto(server.url + "/query?canned=unowned-measures")
        page.wait_for_function("window.policykgYasgui !== undefined", timeout=20000)
        page.evaluate("window.policykgYasgui.getTab().query()")
        page.wait_for_selector("#truncated:not([hidden])", timeout=30000)
        assert "5 rows" in page.locator("#truncated").inner_text()
        assert page.locator(".yasr table tbody tr").count() == 5
        page.close()
    finally:
        server.stop()
