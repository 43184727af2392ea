"""/analysis on the running corpus server: JSON by negotiation, the HTML tables, and in a real
browser (Debian's chromium through Playwright) the network view whose nodes open agency pages."""

from __future__ import annotations

from pathlib import Path

import requests
from conftest import require
from test_server_browser import ARGS, CHROMIUM

VENDOR = Path(__file__).resolve().parents[1] / "server" / "static" / "vendor" / "cytoscape" / "cytoscape.min.js"


def test_analysis_json_by_negotiation(corpus_server):
    r = requests.get(corpus_server.url + "/analysis", headers={"Accept": "application/json"}, timeout=60)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/json")
    data = r.json()
    m = data["metrics"]
    assert m["summary"]["agencies"] == 87
    assert {c["name"] for c in m["collectives"]} >= {"各区人民政府", "市各相关部门"}
    nodes = [e["data"] for e in data["network"] if "source" not in e["data"]]
    assert len(nodes) == 87 and all(n["href"].startswith("/id/agency/") for n in nodes)
    wuhan = requests.get(corpus_server.url + "/analysis?jurisdiction=武汉&format=json", timeout=60).json()
    assert wuhan["metrics"]["summary"]["scope"] == "武汉市"
    assert requests.get(corpus_server.url + "/analysis?jurisdiction=Atlantis", timeout=60).status_code == 404


def test_analysis_page_has_the_tables(corpus_server):
    r = requests.get(corpus_server.url + "/analysis", headers={"Accept": "text/html"}, timeout=60)
    assert r.status_code == 200 and "text/html" in r.headers["Content-Type"]
    assert "无锡市科学技术局" in r.text and "各市(县)区人民政府" in r.text and "vendor/cytoscape" in r.text


def test_clicking_a_node_opens_the_agency_page(corpus_server):
    require(Path(CHROMIUM).exists(), f"the browser {CHROMIUM} (Debian's chromium)")
    require(VENDOR.exists(), "cytoscape, vendored under server/static/vendor,")
    from playwright import sync_api
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.goto(corpus_server.url + "/analysis?jurisdiction=武汉")
            page.wait_for_function("window.policykgNetwork && window.policykgNetwork.nodes().length > 0",
                                   timeout=20000)
            # the biggest node, where cytoscape drew it on its canvas
            target = page.evaluate("""() => {
                const cy = window.policykgNetwork;
                const n = cy.nodes().max(x => x.data('measures')).ele;
                const box = cy.container().getBoundingClientRect(), pos = n.renderedPosition();
                return {x: box.left + pos.x, y: box.top + pos.y, label: n.data('label'), href: n.data('href')};
            }""")
            page.mouse.click(target["x"], target["y"])
            page.wait_for_url("**" + target["href"], timeout=20000)
            assert target["label"] in page.content()
        finally:
            browser.close()
