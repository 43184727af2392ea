"""A real browser (Debian's chromium, headless, driven by Playwright) on the running server.

Never downloads a browser: it uses /usr/bin/chromium (or POLICYKG_CHROMIUM) and fails, naming it, when that
is missing. YASGUI must have been vendored by the project's set-up (.ci/install).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from conftest import require
from policykg.graph.numbering import numbering_sort_key

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


# ---------------------------------------------------------------------------------------------
# readable results (issue 16): YASGUI labels and local links, canned query pages, the validation
# page, and no page of these wider than a 420 px phone. Screenshots go to docs/screenshots/.

SCREENSHOTS = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
NARROW = {"width": 420, "height": 900}


def _page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_yasgui_results_show_labels_and_link_to_local_pages(browser, corpus_server):
    require(VENDOR.exists(), "YASGUI, vendored under server/static/vendor,")
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    external = _external_requests(page, corpus_server.url)
    page.goto(corpus_server.url + "/query?canned=agency-owns&agency=科技局")  # runs at once
    page.wait_for_selector("#yasgui[data-labelled]", timeout=60000)
    table = page.locator(".yasr table.dataTable")
    assert table.locator("tbody tr").count() == 17
    links = table.locator("a.iri")
    hrefs = links.evaluate_all("els => els.map(e => e.getAttribute('href'))")
    texts = links.all_inner_texts()
    assert hrefs and all(h.startswith("/id/") for h in hrefs)  # this server's pages, not w3id.org
    assert links.evaluate_all("els => els.every(e => e.target !== '_blank')")
    assert "无锡市科学技术局" in texts and "支持民营企业高水平组建研发机构" in texts
    assert not any(t.startswith(("http", "<", "id:")) for t in texts)  # every IRI here has a label
    cells = table.locator("tbody td").all_inner_texts()
    assert not any("^^" in c or "…" in c for c in cells)  # plain values, never cut to "无锡…"
    assert _page_width(page) <= 1400
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "query-results.png"))
    assert external == [], f"the page fetched from elsewhere: {external}"
    page.close()


def test_yasgui_knows_the_predeclared_prefixes_and_numbers_are_plain(browser, corpus_server):
    require(VENDOR.exists(), "YASGUI, vendored under server/static/vendor,")
    page = browser.new_page(viewport=NARROW)
    query = "SELECT ?m (COUNT(?f) AS ?figures) WHERE { ?m a pkg:Measure ; pkg:hasFigure ?f } GROUP BY ?m ORDER BY DESC(?figures) ?m LIMIT 3"
    page.goto(corpus_server.url + "/query?" + __import__("urllib.parse").parse.urlencode({"query": query}))
    page.wait_for_selector("#yasgui[data-labelled]", timeout=60000)
    assert page.locator(".CodeMirror .cm-error, .yasqe .parseErrorIcon").count() == 0  # pkg: is not an error
    rows = page.locator(".yasr table.dataTable tbody tr")
    assert rows.count() == 3
    numbers = [rows.nth(i).locator("td").nth(2).inner_text().strip() for i in range(3)]
    assert all(n.isdigit() for n in numbers), numbers  # "8", not "8"^^xsd:integer
    assert _page_width(page) <= 420
    page.close()


def test_canned_query_page_with_parameters_and_permalink(browser, corpus_server):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(corpus_server.url + "/queries")
    page.locator("#agency-owns h2 a").click()
    page.fill("input[name=agency]", "发展改革委")
    page.click("form.params button[type=submit]:has-text('Run')")
    page.wait_for_selector("table.results")
    permalink = page.locator("a.permalink").get_attribute("href")
    assert permalink.startswith("/queries/agency-owns?agency=") and page.url.endswith(permalink)
    assert page.locator("input[name=agency]").input_value() == "发展改革委"
    first = page.locator("table.results tbody tr").first
    assert first.locator("a").first.get_attribute("href").startswith("/id/agency/")
    assert "发展和改革委员会" in first.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "canned-query.png"))
    # "open in YASGUI" carries the parameter and runs
    if VENDOR.exists():
        page.click("a.yasgui-link")
        page.wait_for_selector("#yasgui[data-labelled]", timeout=60000)
        assert "发展改革委" in page.evaluate("window.policykgYasgui.getTab().getQuery()")
        assert page.locator(".yasr table.dataTable tbody tr").count() > 0
    page.close()


def test_validate_page_runs_then_links_measures_and_sources(browser, corpus_server):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(corpus_server.url + "/validate")
    # never a blank page: either the report, or a page that says it is running
    assert page.locator("p.running, article.validation").count() == 1
    page.wait_for_selector("article.validation", timeout=600000)
    measure_links = page.locator("a.measure-link")
    assert measure_links.count() > 10
    hrefs = measure_links.evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert all(re.match(r"^/id/work/.+/measure/[^/]+$", h) for h in hrefs), hrefs[:5]
    assert page.locator("a.source-link[href*='/text/']").count() > 10
    body = page.locator("main").inner_text()
    assert str(Path(__file__).resolve().parents[1]) not in body and "/shapes" not in body.replace("Shapes", "")
    # numbering by number within each document: 一/1 … 一/11 before 二/12
    for group in page.locator("section.doc-group").all()[:20]:
        numbers = [t.strip() for t in group.locator("td.numbering").all_inner_texts() if t.strip()]
        assert numbers == sorted(numbers, key=numbering_sort_key), numbers
    page.screenshot(path=str(SCREENSHOTS / "validate.png"))
    # the link lands on the measure's page
    first = hrefs[0]
    page.goto(corpus_server.url + first)
    assert page.title().endswith("policykg")
    page.close()


@pytest.mark.parametrize("path", ["/query", "/queries", "/queries/agency-owns", "/queries/unowned-measures",
                                  "/validate", "/void"])
def test_pages_fit_a_phone(browser, corpus_server, path):
    page = browser.new_page(viewport=NARROW)
    page.goto(corpus_server.url + path)
    if path == "/validate":
        page.wait_for_selector("article.validation", timeout=600000)
    if path == "/query" and VENDOR.exists():
        page.wait_for_function("window.policykgYasgui !== undefined", timeout=20000)
    assert _page_width(page) <= 420, f"{path} is {_page_width(page)} px wide at 420 px"
    page.close()
