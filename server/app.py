"""The Flask application: SPARQL 1.1 Protocol endpoint, linked data, canned queries, UI pages."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import time
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path

from flask import Flask, Response, abort, redirect, render_template, request, stream_with_context, url_for
from werkzeug.exceptions import HTTPException

from . import analysis_view, canned, sparql_text
from .config import ONTOLOGY_NS, ServerConfig
from .negotiation import choose, prefers_html
from .results import CONTENT_TYPES
from .storeinfo import LoadVersion, oxigraph_dir
from .workers import QueryPool, WorkerError

log = logging.getLogger("policykg.server")

PREFIXES = {
    "pkg": ONTOLOGY_NS,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "org": "http://www.w3.org/ns/org#",
    "eli": "http://data.europa.eu/eli/ontology#",
    "prov": "http://www.w3.org/ns/prov#",
    "oa": "http://www.w3.org/ns/oa#",
    "dcterms": "http://purl.org/dc/terms/",
    "time": "http://www.w3.org/2006/time#",
    "sh": "http://www.w3.org/ns/shacl#",
    "void": "http://rdfs.org/ns/void#",
}
RDF_OFFERS = ["text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml"]
RDF_KEYS = {"text/turtle": "turtle", "application/ld+json": "jsonld", "application/n-triples": "ntriples",
            "application/rdf+xml": "rdfxml"}
# named exactly, these stand for one of ours (never matched through a wildcard)
RDF_ALIASES = {"application/json": "application/ld+json", "application/x-turtle": "text/turtle",
               "text/plain": "application/n-triples", "application/xml": "application/rdf+xml"}
FORMAT_PARAM = {"ttl": "turtle", "turtle": "turtle", "jsonld": "jsonld", "json-ld": "jsonld", "json": "jsonld",
                "nt": "ntriples", "ntriples": "ntriples", "n-triples": "ntriples", "rdf": "rdfxml",
                "rdfxml": "rdfxml", "xml": "rdfxml", "html": "html"}
CORS_EXPOSE = ("ETag, Last-Modified, X-Query-Time, Server-Timing, X-Result-Rows, X-Result-Truncated, "
               "X-Result-Max-Rows, X-Query-Timeout-Seconds")
PACKAGE_ROOT = Path(__file__).resolve().parent


def _resource_dir(package: str, fallback: str) -> Path:
    try:
        import importlib.resources as ir

        p = Path(str(ir.files(package)))
        if p.exists():
            return p
    except Exception:  # noqa: BLE001
        pass
    return PACKAGE_ROOT.parent / fallback


class Endpoint:
    """State shared by the request handlers of one app."""

    def __init__(self, cfg: ServerConfig):
        self.cfg = cfg
        self.db = oxigraph_dir(cfg.store)
        self.pool = QueryPool(self.db, cfg.workers, cfg.queue_wait, cfg.worker_memory_mb or None)
        self.version = LoadVersion(cfg.store, resolver=self._store_version)
        self.queries = canned.load_all()
        self._cache: dict = {}

    def _store_version(self) -> tuple[str, float]:
        """The graph library's load version (pkg:loadVersion in its metadata graph) and time."""
        rows = self.raw(f"""SELECT (MAX(?v) AS ?version) (MAX(?t) AS ?modified) WHERE {{ GRAPH ?g {{
            ?s <{ONTOLOGY_NS}loadVersion> ?v OPTIONAL {{ ?s <http://purl.org/dc/terms/modified> ?t }} }} }}""",
                        timeout=10, union=False, wait=0.5)  # never hold a request up for long
        if not rows or "version" not in rows[0]:
            raise LookupError("no load version in the store")
        modified = 0.0
        if "modified" in rows[0]:
            from datetime import datetime

            try:
                text = rows[0]["modified"]["value"].replace("Z", "+00:00")
                text = re.sub(r"(\.\d{6})\d+", r"\1", text)  # Python keeps microseconds only
                modified = datetime.fromisoformat(text).timestamp()
            except ValueError:
                modified = 0.0
        return rows[0]["version"]["value"], modified

    # ---- helpers around the pool
    def raw(self, query: str, timeout: float | None = None, max_rows: int | None = None, union=True,
            wait: float | None = None):
        meta, rows = self.pool.run({"op": "query", "query": query, "raw": True, "max_rows": max_rows,
                                    "union": union}, timeout or self.cfg.timeout, wait)
        return rows

    def cached(self, key: str, compute):
        version = self.version.get()[0]
        hit = self._cache.get(key)
        if hit and hit[0] == version:
            return hit[1]
        value = compute()
        self._cache[key] = (version, value)
        return value


def _cors(resp: Response) -> Response:
    resp.headers["Access-Control-Allow-Origin"] = "*"
    resp.headers["Access-Control-Expose-Headers"] = CORS_EXPOSE
    return resp


def _error(status: int, message: str, headers: dict | None = None) -> Response:
    resp = Response(message.rstrip() + "\n", status=status, mimetype="text/plain")
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    return _cors(resp)


def create_app(config: ServerConfig | dict | None = None) -> Flask:
    """The application. `config`: a ServerConfig, a dict of its fields, or None for the environment."""
    if config is None:
        cfg = ServerConfig.from_env()
    elif isinstance(config, ServerConfig):
        cfg = config
    else:
        cfg = ServerConfig.from_mapping(config)

    app = Flask(__name__, template_folder=str(PACKAGE_ROOT / "templates"),
                static_folder=str(PACKAGE_ROOT / "static"))
    app.config["MAX_CONTENT_LENGTH"] = cfg.max_request_bytes
    app.config["MAX_FORM_MEMORY_SIZE"] = cfg.max_request_bytes
    app.json.ensure_ascii = False
    ep = Endpoint(cfg)
    app.extensions["policykg"] = ep
    app.register_blueprint(analysis_view.bp)  # /analysis
    ontology_dir = _resource_dir("policykg.ontology", "ontology")
    shapes_dir = _resource_dir("policykg.shapes", "shapes")

    # ------------------------------------------------------------ errors: never a traceback
    @app.errorhandler(WorkerError)
    def _worker_error(e: WorkerError):
        return _error(e.status, e.message, e.headers)

    @app.errorhandler(HTTPException)
    def _http_error(e: HTTPException):
        if e.code == 413:
            return _error(413, f"Request too large: the limit is {cfg.max_request_bytes} bytes.")
        return _error(e.code or 500, f"{e.name}: {e.description}" if e.description else e.name,
                      dict(e.get_headers()) if e.code == 405 else None)

    @app.errorhandler(Exception)
    def _unexpected(e: Exception):
        log.exception("unexpected error")
        return _error(500, "Internal error: the request could not be completed.")

    @app.context_processor
    def _globals():
        return {"base": cfg.base, "local": local_path, "queries": ep.queries, "prefixes": PREFIXES}

    def local_path(iri: str) -> str:
        """Where an IRI is served here (data, ontology and shapes IRIs), else the IRI itself."""
        if iri.startswith(cfg.base):
            return url_for("resource", rest=iri[len(cfg.base):])
        if iri.startswith(ONTOLOGY_NS):
            return url_for("ontology") + "#" + iri[len(ONTOLOGY_NS):]
        if not iri.startswith(("http://", "https://")):
            return "#"  # never a javascript: (or other scheme) link from data
        return iri

    # ------------------------------------------------------------ conditional requests
    def validators(extra: str) -> tuple[str, float]:
        version, modified = ep.version.get()
        tag = hashlib.sha1(f"{version}|{extra}".encode()).hexdigest()[:20]
        return f'W/"{version}-{tag}"', modified

    def not_modified(etag: str, modified: float) -> bool:
        inm = request.headers.get("If-None-Match")
        if inm:
            tags = [t.strip() for t in inm.split(",")]
            weak = etag[2:] if etag.startswith("W/") else etag
            return "*" in tags or any((t[2:] if t.startswith("W/") else t) == weak for t in tags)
        ims = request.headers.get("If-Modified-Since")
        if ims and request.method in ("GET", "HEAD"):
            try:
                return int(modified) <= parsedate_to_datetime(ims).timestamp()
            except (TypeError, ValueError):
                return False
        return False

    def conditional(resp: Response, etag: str, modified: float) -> Response:
        resp.headers["ETag"] = etag
        resp.headers["Last-Modified"] = formatdate(modified, usegmt=True)
        resp.headers["Cache-Control"] = "no-cache"
        resp.headers.add("Vary", "Accept")
        return resp

    def make_304(etag: str, modified: float) -> Response:
        return _cors(conditional(Response(status=304), etag, modified))

    # ------------------------------------------------------------ SPARQL protocol
    @app.route("/sparql/", methods=["GET", "POST", "OPTIONS", "HEAD", "PUT", "DELETE", "PATCH"])
    @app.route("/sparql", methods=["GET", "POST", "OPTIONS", "HEAD", "PUT", "DELETE", "PATCH"])
    def sparql():
        if request.method == "OPTIONS":
            resp = Response(status=204)
            resp.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
            resp.headers["Access-Control-Allow-Headers"] = "Content-Type, Accept, If-None-Match"
            resp.headers["Access-Control-Max-Age"] = "86400"
            return _cors(resp)
        if request.method not in ("GET", "POST", "HEAD"):
            return _error(405, "Method Not Allowed: use GET or POST.", {"Allow": "GET, POST, OPTIONS"})
        params = request.args
        queries: list[str]
        updates: list[str] = []
        if request.method in ("GET", "HEAD"):
            if "update" in params:
                return _error(405, "SPARQL Update must be sent with POST.", {"Allow": "POST"})
            queries = params.getlist("query")
            if not queries:
                return service_description()
            if len(queries) == 1 and not (params.get("format") or params.get("output")) \
                    and prefers_html(request.headers.get("Accept")):
                # a person following a query link: show it on the query page (which runs it)
                return redirect(url_for("query_page", query=queries[0]), code=303)
        else:
            mimetype = request.mimetype
            charset = (request.mimetype_params.get("charset") or "utf-8").lower()
            if mimetype == "application/x-www-form-urlencoded":
                if charset not in ("utf-8", "utf8"):
                    return _error(415, "Unsupported Media Type: form bodies must be UTF-8.")
                form = request.form
                queries, updates = form.getlist("query"), form.getlist("update")
                params = _merge(request.args, form)
            elif mimetype in ("application/sparql-query", "application/sparql-update"):
                if charset not in ("utf-8", "utf8"):
                    return _error(415, f"Unsupported Media Type: {mimetype} bodies must be UTF-8.")
                try:
                    body = request.get_data(cache=False).decode("utf-8")
                except UnicodeDecodeError:
                    return _error(400, "The request body is not valid UTF-8.")
                if mimetype == "application/sparql-query":
                    queries = [body]
                else:
                    queries, updates = [], [body]
            else:
                return _error(415, "Unsupported Media Type: POST a query as application/sparql-query, an update "
                                   "as application/sparql-update, or either as application/x-www-form-urlencoded.")
        if updates:
            if queries or len(updates) > 1:
                return _error(400, "Send exactly one update (and no query) per request.")
            return sparql_update(updates[0], params)
        if len(queries) != 1:
            return _error(400, "Send exactly one query per request." if queries else "Missing the query parameter.")
        return sparql_query(queries[0], params)

    def request_timeout(params, default: float) -> float:
        raw = params.get("timeout") or request.headers.get("X-Query-Timeout")
        if not raw:
            return default
        try:
            value = float(raw)
        except ValueError:
            raise WorkerError(400, "timeout must be a number of seconds") from None
        if value > 1000:  # milliseconds, as some clients send
            value = value / 1000.0
        if value <= 0:
            raise WorkerError(400, "timeout must be positive")
        return min(value, default)

    def check_query_text(query: str) -> None:
        if len(query.encode("utf-8")) > cfg.max_request_bytes:
            raise WorkerError(413, f"Query too large: the limit is {cfg.max_request_bytes} bytes.")
        if sparql_text.uses_service(query):
            raise WorkerError(403, "SERVICE (federated query) is not allowed on this endpoint.")

    def sparql_query(query: str, params, *, max_rows: int | None = -1, stream: bool = False,
                     timeout: float | None = None, tag_extra: str = ""):
        check_query_text(query)
        timeout = request_timeout(params, timeout or cfg.timeout)
        dg = params.getlist("default-graph-uri")
        ng = params.getlist("named-graph-uri")
        job = {
            "op": "query", "query": query, "accept": request.headers.get("Accept"),
            "format": params.get("format") or params.get("output") or None,
            "max_rows": cfg.max_rows if max_rows == -1 else max_rows,
            "union": not sparql_text.has_from(query),
            "prefixes": PREFIXES, "default_prefixes": PREFIXES, "stream": stream,
            # relative IRIs in a query resolve against the endpoint's own URL
            "base_iri": url_for("sparql", _external=True),
            "truncation_note": f"The result was cut at {cfg.max_rows} rows (the server's row limit).",
        }
        if dg or ng:
            job["default_graph"], job["named_graphs"] = dg, ng
        etag, modified = validators(json.dumps([query, dg, ng, job["accept"], job["format"], job["max_rows"],
                                                stream, tag_extra], ensure_ascii=False))
        if not_modified(etag, modified):
            return make_304(etag, modified)
        t0 = time.perf_counter()
        if stream:
            meta, chunks = ep.pool.stream(job, timeout)
            resp = Response(stream_with_context(chunks), content_type=meta["content_type"])
        else:
            meta, body = ep.pool.run(job, timeout)
            resp = Response(body, content_type=meta["content_type"])  # werkzeug drops it for HEAD
            resp.headers["X-Result-Rows"] = str(meta.get("rows", 0))
            if meta.get("truncated"):
                resp.headers["X-Result-Truncated"] = "true"
                resp.headers["X-Result-Max-Rows"] = str(job["max_rows"])
                resp.headers["Warning"] = f'199 - "result truncated at {job["max_rows"]} rows"'
            elapsed = meta.get("elapsed", time.perf_counter() - t0)
            resp.headers["X-Query-Time"] = f"{elapsed:.6f}"
            resp.headers["Server-Timing"] = (f"query;dur={elapsed * 1000:.1f}, "
                                             f"total;dur={(time.perf_counter() - t0) * 1000:.1f}")
        resp.headers["X-Query-Timeout-Seconds"] = f"{timeout:g}"
        return _cors(conditional(resp, etag, modified))

    def sparql_update(update: str, params):
        if not cfg.update_token:
            return _error(403, "This endpoint is read-only: SPARQL Update is disabled.")
        given = request.headers.get("Authorization", "")
        token = given[7:].strip() if given.lower().startswith("bearer ") else (params.get("token") or "")
        if not token or not hmac.compare_digest(token.encode(), cfg.update_token.encode()):
            return _error(401, "SPARQL Update needs the update token (Authorization: Bearer TOKEN).",
                          {"WWW-Authenticate": 'Bearer realm="policykg"'})
        if sparql_text.uses_load(update) or sparql_text.uses_service(update):
            return _error(403, "LOAD and SERVICE are not allowed on this endpoint.")
        if params.getlist("using-graph-uri") or params.getlist("using-named-graph-uri"):
            return _error(400, "using-graph-uri / using-named-graph-uri are not supported; "
                               "write USING / USING NAMED in the update instead.")
        timeout = request_timeout(params, cfg.timeout)
        meta, _ = ep.pool.run_update({"op": "update", "update": update,
                                      "base_iri": url_for("sparql", _external=True)}, timeout)
        ep.version.invalidate()
        ep._cache.clear()
        resp = Response("Update applied.\n", status=200, mimetype="text/plain")
        resp.headers["X-Query-Time"] = f"{meta.get('elapsed', 0):.6f}"
        return _cors(resp)

    def service_description():
        if prefers_html(request.headers.get("Accept")):
            return query_page()
        endpoint = request.base_url.rstrip("/")
        if endpoint.endswith("/sparql") is False:
            endpoint = url_for("sparql", _external=True)
        stats = safe_stats()
        ttl = render_template("service.ttl", endpoint=endpoint, stats=stats, update=bool(cfg.update_token),
                              root=request.url_root.rstrip("/"))
        return rdf_response(ttl, "sd", request.args.get("format"))

    def rdf_response(turtle: str, tag: str, fmt: str | None = None, status: int = 200):
        """Serves a Turtle document in the negotiated RDF syntax."""
        key = FORMAT_PARAM.get(fmt.lower()) if fmt else None
        if fmt and key in (None, "html"):
            return _error(406, f"Not Acceptable: unknown format {fmt!r}")
        if key is None:
            chosen = choose(request.headers.get("Accept"), RDF_OFFERS, RDF_ALIASES)
            if chosen is None:
                return _error(406, "Not Acceptable: available as " + ", ".join(RDF_OFFERS))
            key = RDF_KEYS[chosen]
        etag, modified = validators(f"{tag}|{key}|{hashlib.sha1(turtle.encode()).hexdigest()}")
        if not_modified(etag, modified):
            return make_304(etag, modified)
        body = turtle.encode() if key == "turtle" else convert_turtle(turtle, key)
        resp = Response(body, status=status, content_type=CONTENT_TYPES[key])
        return _cors(conditional(resp, etag, modified))

    def convert_turtle(turtle: str, key: str) -> bytes:
        import pyoxigraph as ox

        from .results import RDF_FORMATS

        triples = [q.triple for q in ox.parse(turtle.encode(), ox.RdfFormat.TURTLE)]
        return ox.serialize(triples, None, RDF_FORMATS[key], prefixes=PREFIXES if key == "rdfxml" else None)

    # ------------------------------------------------------------ statistics
    def stats() -> dict:
        def compute():
            q = f"""PREFIX pkg: <{ONTOLOGY_NS}>
            SELECT ?what (COUNT(DISTINCT ?x) AS ?n) WHERE {{
              VALUES (?what ?class) {{ ("documents" pkg:PolicyDocument) ("measures" pkg:Measure)
                ("agencies" pkg:Agency) ("collectives" pkg:CollectiveAgent)
                ("obligations" pkg:Obligation) ("figures" pkg:Figure)
                ("jurisdictions" pkg:Jurisdiction) }}
              OPTIONAL {{ ?x a ?class }} }} GROUP BY ?what"""
            out = {r["what"]["value"]: int(r["n"]["value"]) for r in ep.raw(q)}
            rows = ep.raw("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", union=False)
            out["quads"] = int(rows[0]["n"]["value"]) if rows else 0
            rows = ep.raw("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", union=False)
            out["default_graph_triples"] = int(rows[0]["n"]["value"]) if rows else 0
            rows = ep.raw("SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { } }", union=False)
            out["graphs"] = int(rows[0]["n"]["value"]) if rows else 0
            rows = ep.raw("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }")
            out["triples"] = int(rows[0]["n"]["value"]) if rows else 0
            rows = ep.raw("SELECT ?class (COUNT(DISTINCT ?s) AS ?n) { ?s a ?class } GROUP BY ?class "
                          "ORDER BY DESC(?n) LIMIT 200")
            out["classes"] = [(r["class"]["value"], int(r["n"]["value"])) for r in rows]
            return out

        return ep.cached("stats", compute)

    def safe_stats() -> dict | None:
        try:
            return stats()
        except WorkerError:
            return None

    # ------------------------------------------------------------ pages
    @app.route("/")
    def home():
        etag, modified = validators("home")
        if not_modified(etag, modified):
            return make_304(etag, modified)
        resp = Response(render_template("home.html", stats=safe_stats(), cfg=cfg))
        return conditional(resp, etag, modified)

    @app.route("/query")
    def query_page():
        q = request.args.get("query")
        name = request.args.get("canned")
        if not q and name in ep.queries:
            try:
                q = ep.queries[name].render(request.args)
            except canned.ParamError:
                q = ep.queries[name].render()
        first = next(iter(ep.queries.values()), None)
        default_query = q or (first.render() if first else "SELECT * WHERE { ?s ?p ?o } LIMIT 10")
        tabs = [{"name": c.name, "title": c.title, "query": c.render()} for c in ep.queries.values()]
        return render_template("query.html", default_query=default_query, tabs=tabs,
                               endpoint=url_for("sparql", _external=False), cfg=cfg)

    @app.route("/healthz")
    def healthz():
        version, _ = ep.version.get()
        return _cors(app.response_class(json.dumps({"status": "ok", "load_version": version,
                                                    "workers": ep.pool.size}), mimetype="application/json"))

    # ------------------------------------------------------------ canned queries
    @app.route("/queries/")
    @app.route("/queries")
    def queries_index():
        listing = [c.as_dict() for c in ep.queries.values()]
        if choose(request.headers.get("Accept"), ["text/html", "application/json"]) == "application/json" \
                or request.args.get("format") == "json":
            return _cors(app.response_class(json.dumps(listing, ensure_ascii=False, indent=1),
                                            mimetype="application/json"))
        return render_template("queries.html", listing=listing)

    @app.route("/queries/<name>.rq")
    def canned_text(name: str):
        c = ep.queries.get(name) or abort(404)
        text = c.render(request.args) if request.args else c.text
        return _cors(Response(text, content_type="application/sparql-query; charset=utf-8"))

    @app.route("/queries/<name>", methods=["GET", "POST"])
    def canned_run(name: str):
        c = ep.queries.get(name)
        if c is None:
            return _error(404, f"No canned query named {name!r}. See /queries.")
        values = _merge(request.args, request.form) if request.method == "POST" else request.args
        try:
            text = c.render(values)
        except canned.ParamError as e:
            return _error(400, str(e))
        fmt = (values.get("format") or "").lower()
        if not fmt:
            chosen = choose(request.headers.get("Accept"), ["text/csv", "application/sparql-results+json",
                                                            "application/json", "text/tab-separated-values",
                                                            "application/sparql-results+xml", "text/html"])
            if chosen is None:
                return _error(406, "Not Acceptable: canned queries answer in CSV, JSON, TSV or XML.")
            if chosen == "text/html":
                return redirect(url_for("query_page", canned=name, **{k: v for k, v in values.items()}))
            fmt = {"text/csv": "csv", "application/sparql-results+json": "json", "application/json": "json",
                   "text/tab-separated-values": "tsv", "application/sparql-results+xml": "xml"}[chosen]
        if fmt not in ("csv", "tsv", "json", "xml"):
            return _error(406, "Not Acceptable: format must be csv, tsv, json or xml.")
        params = _merge(values, {"format": fmt})
        # CSV and TSV are streamed in full (no row cap, the export time limit); JSON/XML keep the cap
        if fmt in ("csv", "tsv"):
            resp = sparql_query(text, params, max_rows=None, stream=True, timeout=cfg.export_timeout,
                                tag_extra="canned:" + name)
            if resp.status_code == 200:
                resp.headers["Content-Disposition"] = f'inline; filename="{name}.{fmt}"'
            return resp
        return sparql_query(text, params, tag_extra="canned:" + name)

    # ------------------------------------------------------------ dumps and VoID
    DUMP_TYPES = {"application/n-quads": "nquads", "application/trig": "trig", "text/turtle": "turtle",
                  "application/n-triples": "ntriples"}

    @app.route("/dump.<ext>")
    @app.route("/dump")
    def dump(ext: str | None = None):
        fmt = (request.args.get("format") or {"nq": "nquads", "ttl": "turtle", "trig": "trig",
                                              "nt": "ntriples"}.get(ext or "", "") or "").lower()
        fmt = {"nq": "nquads", "n-quads": "nquads", "ttl": "turtle", "nt": "ntriples"}.get(fmt, fmt)
        if not fmt:
            chosen = choose(request.headers.get("Accept"), list(DUMP_TYPES))
            if chosen is None:
                return _error(406, "Not Acceptable: the dump is available as " + ", ".join(DUMP_TYPES))
            fmt = DUMP_TYPES[chosen]
        if fmt not in DUMP_TYPES.values():
            return _error(406, "Not Acceptable: format must be nquads, trig, turtle or ntriples.")
        etag, modified = validators("dump|" + fmt)
        if not_modified(etag, modified):
            return make_304(etag, modified)
        meta, chunks = ep.pool.stream({"op": "dump", "format": fmt, "prefixes": PREFIXES}, cfg.export_timeout)
        resp = Response(stream_with_context(chunks), content_type=meta["content_type"])
        ext = {"nquads": "nq", "trig": "trig", "turtle": "ttl", "ntriples": "nt"}[fmt]
        resp.headers["Content-Disposition"] = f'attachment; filename="policykg.{ext}"'
        return _cors(conditional(resp, etag, modified))

    @app.route("/.well-known/void")
    @app.route("/void")
    def void():
        ttl = render_template("void.ttl", stats=safe_stats(), root=request.url_root.rstrip("/"), cfg=cfg,
                              ontology=ONTOLOGY_NS)
        return rdf_response(ttl, "void", request.args.get("format"))

    # ------------------------------------------------------------ ontology and shapes
    def turtle_files(directory: Path) -> list[Path]:
        return sorted(directory.glob("*.ttl")) if directory.exists() else []

    def merged_turtle(files: list[Path]) -> str:
        if len(files) == 1:
            return files[0].read_text(encoding="utf-8")
        import pyoxigraph as ox

        triples = []
        for f in files:
            triples.extend(q.triple for q in ox.parse(path=str(f), format=ox.RdfFormat.TURTLE))
        return ox.serialize(triples, None, ox.RdfFormat.TURTLE, prefixes=PREFIXES).decode()

    def schema_doc(files: list[Path], title: str, tag: str):
        if not files:
            return _error(404, f"No {title.lower()} files are installed.")
        fmt = request.args.get("format")
        wants_html = (fmt == "html") or (not fmt and prefers_html(request.headers.get("Accept")))
        turtle = ep.cached("schema:" + tag, lambda: merged_turtle(files))
        if wants_html:
            return render_template("schema.html", title=title, terms=schema_terms(turtle), turtle=turtle,
                                   files=[f.name for f in files], tag=tag)
        return rdf_response(turtle, tag, fmt)

    def schema_terms(turtle: str) -> list[dict]:
        import pyoxigraph as ox

        rdfs = PREFIXES["rdfs"]
        by: dict[str, dict] = {}
        for q in ox.parse(turtle.encode(), ox.RdfFormat.TURTLE):
            s, p, o = q.subject, q.predicate.value, q.object
            if not isinstance(s, ox.NamedNode):
                continue
            d = by.setdefault(s.value, {"iri": s.value, "types": [], "labels": [], "comments": []})
            if p == PREFIXES["rdf"] + "type":
                d["types"].append(o.value)
            elif p in (rdfs + "label", PREFIXES["skos"] + "prefLabel", PREFIXES["sh"] + "name"):
                d["labels"].append(o.value)
            elif p in (rdfs + "comment", PREFIXES["skos"] + "definition", PREFIXES["sh"] + "description"):
                d["comments"].append(o.value)
        for d in by.values():
            d["anchor"] = d["iri"].rsplit("#", 1)[-1] if "#" in d["iri"] else d["iri"].rsplit("/", 1)[-1]
            d["types"] = [shorten(t) for t in d["types"]]
        return sorted(by.values(), key=lambda d: (",".join(d["types"]), d["iri"]))

    @app.route("/ontology/")
    @app.route("/ontology")
    def ontology():
        return schema_doc(turtle_files(ontology_dir), "Ontology", "ontology")

    @app.route("/shapes/")
    @app.route("/shapes")
    def shapes():
        return schema_doc(turtle_files(shapes_dir), "SHACL shapes", "shapes")

    def shorten(iri: str) -> str:
        for p, ns in PREFIXES.items():
            if iri.startswith(ns) and len(iri) > len(ns):
                return f"{p}:{iri[len(ns):]}"
        return iri

    app.jinja_env.filters["shorten"] = shorten

    # ------------------------------------------------------------ linked data
    from . import linked

    @app.route("/id/<path:rest>")
    def resource(rest: str):
        iri = cfg.base + rest
        if any(c in iri for c in '<>"{}|^`\\ \n\t\r'):
            return _error(404, "Not a data IRI here: it contains characters an IRI cannot hold.")
        if request.query_string and "format" not in request.args:
            pass
        fmt = (request.args.get("format") or "").lower()
        wants_html = fmt == "html" or (not fmt and prefers_html(request.headers.get("Accept")))
        if not wants_html:
            key = FORMAT_PARAM.get(fmt) if fmt else None
            if fmt and key in (None, "html"):
                return _error(406, f"Not Acceptable: unknown format {fmt!r}")
            if key is None:
                chosen = choose(request.headers.get("Accept"), RDF_OFFERS + ["text/html"], RDF_ALIASES)
                if chosen is None:
                    return _error(406, "Not Acceptable: available as HTML, " + ", ".join(RDF_OFFERS))
                if chosen == "text/html":
                    wants_html = True
                else:
                    key = RDF_KEYS[chosen]
        etag, modified = validators(f"id|{iri}|{'html' if wants_html else key}")
        if not_modified(etag, modified):
            return make_304(etag, modified)
        if is_named_graph(iri):
            return graph_document(iri, rest, "html" if wants_html else key, etag, modified)
        if wants_html:
            page = linked.describe_for_html(ep, iri)
            if page is None:
                return Response(render_template("notfound.html", iri=iri), status=404)
            resp = Response(render_template("resource.html", r=page, iri=iri, rest=rest))
        else:
            job = {"op": "query", "query": linked.construct_query(iri), "format": key,
                   "prefixes": PREFIXES, "max_rows": None}
            meta, body = ep.pool.run(job, cfg.timeout)
            if meta.get("rows", 0) == 0:
                return _error(404, f"Nothing is known about <{iri}>.")
            resp = Response(body, content_type=meta["content_type"])
        resp.headers["Content-Location"] = request.path
        resp.headers["Link"] = f'<{iri}>; rel="canonical"'
        return _cors(conditional(resp, etag, modified))

    def is_named_graph(iri: str) -> bool:
        graphs = ep.cached("graphs", lambda: {r["g"]["value"] for r in ep.raw(
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }", union=False)})
        return iri in graphs

    def graph_document(iri: str, rest: str, key: str, etag: str, modified: float):
        """A named graph's IRI dereferences to the graph: its triples (streamed), or a summary page."""
        if key == "html":
            rows = ep.raw(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}", union=False)
            n = int(rows[0]["n"]["value"]) if rows else 0
            resp = Response(render_template("graph.html", iri=iri, triples=n, rest=rest))
        else:
            job = {"op": "query", "query": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}",
                   "format": key, "prefixes": PREFIXES, "max_rows": None, "union": False, "stream": True}
            meta, chunks = ep.pool.stream(job, cfg.export_timeout)
            resp = Response(stream_with_context(chunks), content_type=meta["content_type"])
        resp.headers["Content-Location"] = request.path
        return _cors(conditional(resp, etag, modified))

    # ------------------------------------------------------------ search
    @app.route("/search")
    def search():
        q = (request.args.get("q") or "").strip()
        kind = request.args.get("kind") or "all"
        try:
            limit = int(request.args.get("limit") or 100)
        except ValueError:
            return _error(400, "limit must be an integer")
        if kind not in ("all", "agency", "measure"):
            return _error(400, "kind must be all, agency or measure")
        hits = linked.search(ep, q, kind, limit=limit) if q else []
        if request.args.get("format") == "json" or choose(
                request.headers.get("Accept"), ["text/html", "application/json"]) == "application/json":
            return _cors(app.response_class(json.dumps({"q": q, "kind": kind, "results": hits},
                                                       ensure_ascii=False), mimetype="application/json"))
        return render_template("search.html", q=q, kind=kind, hits=hits)

    # ------------------------------------------------------------ validation
    @app.route("/validate")
    def validate():
        from . import validation

        return validation.handle(ep, request, shapes_dir)

    @app.after_request
    def _security_headers(resp: Response):
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        return resp

    return app


def _merge(*mappings):
    from werkzeug.datastructures import MultiDict

    out = MultiDict()
    for m in mappings:
        if hasattr(m, "lists"):
            for k, vs in m.lists():
                for v in vs:
                    out.add(k, v)
        else:
            for k, v in dict(m).items():
                out.add(k, v)
    return out
