"""Labels are data, never markup: a text whose title, agencies and measure titles carry `<script>` and
`"><img onerror=…>` is loaded and served, every HTML page reachable from the home page is fetched, and
none may carry the payload as markup; the SHACL report in HTML (served and from the CLI) neither."""

from __future__ import annotations

import re
import subprocess
import time
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from conftest import POLICYKG, RunningServer

EVIL_TEXT = """关于印发<script>alert("t")</script>行动方案的通知
一、重点任务
（一）推进"><img/src=x/onerror=alert(1)>工作。到2025年新增企业100家。（责任单位：市"><img/src=x/onerror=alert(2)>局、市<script>alert("a")</script>科技局）
（二）加强<script>alert("s")</script>服务。给予最高200万元资助。
"""
# the payload as markup: what must never reach a page unescaped
RAW = ["<script>alert(", "<img/src=x/onerror", '"><img']
# the payload as text: what shows that the labels did reach the pages (the test is not vacuous)
ESCAPED_SCRIPT = re.compile(r"&lt;script&gt;alert\((?:&#34;|&quot;)")
ESCAPED_IMG = re.compile(r"(?:&#34;|&quot;)&gt;&lt;img/src=x/onerror")
MAX_PAGES = 400
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs += [v for k, v in attrs if k == "href" and v]


@pytest.fixture(scope="module")
def evil_store(tmp_path_factory) -> str:
    d = tmp_path_factory.mktemp("evil")
    text = d / "evil.txt"
    text.write_text(EVIL_TEXT, encoding="utf-8")
    store = d / "store"
    proc = subprocess.run([POLICYKG, "load", str(text), "--store", str(store), "--no-progress"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return str(store)


@pytest.fixture(scope="module")
def evil_server(evil_store):
    server = RunningServer(evil_store, ["--workers", "1"])
    yield server
    server.stop()


def get_page(url: str, accept: str = BROWSER) -> requests.Response:
    """A page as a browser gets it: /validate answers 202 with a "running…" page that reloads itself
    until the report is ready, so follow it (the running page must escape nothing either: it names no
    data)."""
    r = requests.get(url, headers={"Accept": accept}, timeout=300)
    for _ in range(300):
        if r.status_code != 202:
            break
        time.sleep(2)  # the running page's own reload interval
        r = requests.get(url, headers={"Accept": accept}, timeout=300)
    return r


def crawl(base: str) -> dict[str, str]:
    """Every HTML page on `base` reachable by links from the home page: url -> body."""
    host = urlsplit(base).netloc
    todo, seen, pages = [base + "/"], set(), {}
    while todo and len(seen) < MAX_PAGES:
        url = todo.pop()
        if url in seen:
            continue
        seen.add(url)
        r = get_page(url)
        assert r.status_code == 200, (url, r.status_code)  # a link on our own pages leads somewhere
        if r.headers.get("Content-Type", "").split(";")[0] != "text/html":
            continue
        pages[url] = r.text
        parser = Links()
        parser.feed(r.text)
        for href in parser.hrefs:
            nxt = urljoin(url, href).split("#")[0]
            parts = urlsplit(nxt)
            if parts.netloc == host and not parts.path.startswith("/static/") and nxt not in seen:
                todo.append(nxt)
    assert len(seen) < MAX_PAGES, "the crawl did not end: more pages than a two-measure store can have"
    return pages


def test_every_html_page_escapes_the_labels(evil_server):
    pages = crawl(evil_server.url)
    for url, body in pages.items():
        for raw in RAW:
            assert raw not in body, f"{url} carries {raw!r} as markup"
    shown = [url for url, body in pages.items() if ESCAPED_SCRIPT.search(body)]
    assert any("/id/" in u for u in shown), "no resource page showed a <script> label (as text)"
    assert any(ESCAPED_IMG.search(body) for body in pages.values()), "no page showed the onerror label"
    # the pages an analyst reaches: home, the measures' and the agencies' pages, search, the report
    paths = {urlsplit(u).path for u in pages}
    assert "/" in paths and "/validate" in paths
    assert sum("/id/" in p for p in paths) >= 4


def test_the_served_validation_report_escapes_the_labels(evil_server):
    r = get_page(evil_server.url + "/validate", "text/html")
    assert r.status_code == 200 and r.headers["X-SHACL-Conforms"] == "false"
    for raw in RAW:
        assert raw not in r.text
    assert ESCAPED_SCRIPT.search(r.text)


def test_the_cli_validation_report_escapes_the_labels(evil_store, tmp_path):
    out = tmp_path / "report.html"
    proc = subprocess.run([POLICYKG, "validate", "--store", evil_store, "--format", "html", "-o", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stderr  # the measure without an owner violates
    html = out.read_text(encoding="utf-8")
    for raw in RAW:
        assert raw not in html
    assert ESCAPED_SCRIPT.search(html) and "加强&lt;script&gt;" in html
