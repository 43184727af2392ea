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


# =====================================================================================
# pages an analyst reads (issue 16, pages part): measure cards, browse lists, 420 px, crawl, screenshots
# =====================================================================================

PKG = "https://w3id.org/policykg/ontology#"
COMPARATOR_SIGNS = set("≤≥=~<>")


def _store_rows(store: str, query: str) -> list[dict]:
    import pyoxigraph as ox

    s = ox.Store.read_only(store)
    try:
        res = s.query(f"PREFIX pkg: <{PKG}> PREFIX eli: <http://data.europa.eu/eli/ontology#> " + query,
                      use_default_graph_as_union=True)
        return [{v.value: row[v].value for v in res.variables} for row in res]
    finally:
        del s


def test_measure_pages_show_every_figure_once_readably(browser, corpus_server):
    figures: dict[str, set[str]] = {}
    for r in _store_rows(corpus_server.store, "SELECT DISTINCT ?m ?f WHERE { GRAPH ?g { ?m pkg:hasFigure ?f } }"):
        figures.setdefault(r["m"], set()).add(r["f"])
    assert len(figures) >= 30
    page = browser.new_page()
    for m, expected in sorted(figures.items()):
        page.goto(corpus_server.url + "/id/" + m[len(BASE):])
        rows = page.locator("table.figures tr.figure")
        shown = [rows.nth(i).get_attribute("data-figure") for i in range(rows.count())]
        assert len(shown) == len(set(shown)), f"duplicate figure rows on {m}"
        assert set(shown) == expected, m
        signs = page.locator("table.figures td.cmp").all_inner_texts()
        assert all(s.strip() in COMPARATOR_SIGNS for s in signs), (m, signs)
        table = page.locator("table.figures").inner_text()
        assert "http" not in table and "odrl" not in table and "pkg:" not in table, m
    page.close()


def test_browse_lists_reachable_from_home(browser, corpus_server):
    page = browser.new_page()
    page.goto(corpus_server.url + "/")
    page.click("a[data-stat=documents]")
    assert page.url.endswith("/documents")
    assert page.locator("li.doc-card").count() == int(_store_rows(corpus_server.store, """SELECT (COUNT(DISTINCT ?d) AS ?n)
        WHERE { GRAPH ?g { ?d a pkg:PolicyDocument FILTER NOT EXISTS { ?d eli:is_part_of ?up } } }""")[0]["n"])
    page.go_back()
    page.click("a[data-stat=agencies]")
    assert page.url.endswith("/agencies") and page.locator("table.agencies tr").count() > 20
    page.go_back()
    page.click("a[data-stat=jurisdictions]")
    assert page.url.endswith("/jurisdictions") and "无锡市" in page.locator("table.jurisdictions").inner_text()
    page.click("text=无锡市")
    assert page.locator("h1").inner_text().strip() == "无锡市"
    page.close()


def _main_pages(store: str) -> dict[str, str]:
    """home, a measure with figures, its plan, an agency with duties, a source quote, the lists."""
    m = _store_rows(store, """SELECT ?m ?plan WHERE { GRAPH ?g { ?m pkg:hasFigure ?f ; eli:is_part_of ?plan } }
        ORDER BY ?m LIMIT 1""")[0]
    a = _store_rows(store, """SELECT ?a (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?a ?ob WHERE { GRAPH ?g {
        ?ob pkg:agency ?a . ?a a pkg:Agency } } } GROUP BY ?a ORDER BY DESC(?n) LIMIT 1""")[0]["a"]
    sel = _store_rows(store, f"""PREFIX prov: <http://www.w3.org/ns/prov#> SELECT ?s WHERE {{ GRAPH ?g {{
        <{m['m']}> prov:wasDerivedFrom ?s }} }} LIMIT 1""")[0]["s"]
    local = {k: "/id/" + v[len(BASE):] for k, v in (("measure", m["m"]), ("plan", m["plan"]), ("agency", a),
                                                      ("quote", sel))}
    return {"home": "/", **local, "documents": "/documents", "agencies": "/agencies",
            "jurisdictions": "/jurisdictions", "search": "/search?q=%E5%8F%91%E6%94%B9%E5%A7%94"}


def test_pages_fit_420_px_and_screenshots(browser, corpus_server):
    pages = _main_pages(corpus_server.store)
    narrow = browser.new_page(viewport={"width": 420, "height": 900})
    for name, path in pages.items():
        narrow.goto(corpus_server.url + path)
        width = narrow.evaluate("document.documentElement.scrollWidth")
        assert width <= 420, f"{name} ({path}) is {width} px wide at 420 px"
    narrow.close()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    wide = browser.new_page(viewport={"width": 1280, "height": 900})
    for name in ("home", "measure", "plan", "agency"):
        wide.goto(corpus_server.url + pages[name])
        wide.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
    wide.close()


def test_crawl_from_home_finds_no_broken_link_and_no_raw_iri(browser, corpus_server):
    """Every page reachable from the home page answers 200, and no link shows an IRI where its target has
    a label (the target's heading is then its label, not the IRI's last segment)."""
    import re
    from urllib.parse import urljoin, urlsplit

    import requests

    skip = ("/sparql", "/dump", "/query", "/validate", "/static/", "/analysis", "/void", "/queries")
    from concurrent.futures import ThreadPoolExecutor

    seen: set[str] = {"/"}
    frontier = ["/"]
    broken, raw = [], []
    headings: dict[str, str] = {}
    session = requests.Session()

    def fetch(path: str):
        return path, session.get(corpus_server.url + path, headers={"Accept": "text/html"}, timeout=60)

    with ThreadPoolExecutor(4) as pool:  # breadth first, a few requests at a time
        while frontier:
            found = []
            for path, r in pool.map(fetch, frontier):
                if r.status_code != 200:
                    broken.append((path, r.status_code))
                    continue
                h1 = re.search(r"<h1>(.*?)</h1>", r.text, flags=re.S)
                headings[path] = re.sub(r"<[^>]+>", "", h1.group(1)).strip() if h1 else ""
                for href, text in re.findall(r'<a [^>]*href="([^"#]+)[^"]*"[^>]*>(.*?)</a>', r.text, flags=re.S):
                    url = urlsplit(urljoin(corpus_server.url + path, href.replace("&amp;", "&")))
                    if (url.netloc != urlsplit(corpus_server.url).netloc or url.path.startswith(skip)
                            or "format=" in url.query):
                        continue
                    target = url.path + ("?" + url.query if url.query else "")
                    text = re.sub(r"<[^>]+>", "", text).strip()
                    if re.fullmatch(r"(https?://\S+|[a-z]+:[\w-]+)", text) and target.startswith("/id/"):
                        raw.append((path, text, target))
                    if target not in seen:
                        seen.add(target)
                        found.append(target)
            frontier = found
    assert len(seen) > 300, f"the crawl reached only {len(seen)} pages"
    assert not broken, broken[:10]
    labelled = [(p, t, x) for p, t, x in raw
                if headings.get(x) and headings[x] != x.rstrip("/").rsplit("/", 1)[-1]]
    assert not labelled, labelled[:10]
