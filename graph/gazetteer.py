"""Resolve agency and jurisdiction names to scoped, canonical nodes.

Two curated data files ship with the package:

- `data/agency_functions.tsv`: functions of government (development & reform, finance, ...),
  each with a canonical city- and province-level name and the variants and abbreviations
  (发改委 = 发展改革委 = 发展和改革委员会). Every function is a SKOS concept of the scheme
  `{base}function`; an agency that matches a function gets the IRI
  `{base}agency/{jurisdiction}/{function id}`, so 市发改委 and 市发展和改革委员会 in 无锡 are one
  node, and the function makes 无锡 and 武汉 comparable.
- the places the loaders know (`loaders/data/places.tsv`, read through `policykg.loaders.places()`):
  GB/T 2260 codes of provinces and some cities, with the province of each city (for 省… names in
  a city's text). Places listed there without a code are unknown here (hashed IRIs).

Names are matched after NFKC, Traditional->Simplified and pinyin-gloss removal (the loaders'
`simplified_key`, so a mention's `key` in a record and `name_key` here agree), with the level
prefix (市/省, or the place name: 无锡市, 江苏省) stripped; a name without prefix counts as the
document's own level, except …厅 (a provincial department). Unknown names keep a hashed IRI
`{base}agency/{jurisdiction}/h-…` keyed on level + name, still scoped by the jurisdiction.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources

from policykg.graph.iris import h
from policykg.loaders import places, simplified_key

# The script converters are the loaders' (one in the project); the server reaches them here.
from policykg.loaders import to_simplified as to_simplified
from policykg.loaders import to_traditional as to_traditional


@functools.lru_cache(maxsize=20000)
def name_key(name: str) -> str:
    """Matching key of a name: pinyin glosses removed, NFKC, Simplified, no white space."""
    return simplified_key(name or "")


def _rows(name: str) -> list[list[str]]:
    text = resources.files("policykg.graph").joinpath("data", name).read_text(encoding="utf-8")
    rows = [line.split("\t") for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return rows[1:]  # header


@dataclass(frozen=True)
class Function:
    id: str
    en: str
    zh: str
    city: str
    province: str
    variants: tuple[str, ...]


@dataclass(frozen=True)
class Jurisdiction:
    slug: str  # IRI segment: the division code, or h-<hash>
    name: str  # as known (Simplified)
    level: str  # "province" | "city" | "district"
    short: str
    code: str | None = None
    parent: str | None = None  # slug of the province
    en: str | None = None


@functools.lru_cache(maxsize=1)
def functions() -> tuple[Function, ...]:
    out = []
    for r in _rows("agency_functions.tsv"):
        fid, en, zh, city, prov, variants = (r + [""] * 6)[:6]
        names = {name_key(v) for v in variants.split("|") if v} | {name_key(city), name_key(prov)}
        out.append(Function(fid, en, zh, city, prov, tuple(sorted(names))))
    return tuple(out)


@functools.lru_cache(maxsize=1)
def _variant_index() -> dict[str, Function]:
    index: dict[str, Function] = {}
    for f in functions():
        for v in f.variants:
            index.setdefault(v, f)
    return index


@functools.lru_cache(maxsize=1)
def jurisdictions() -> dict[str, Jurisdiction]:
    """Known jurisdictions by name and by short name."""
    out: dict[str, Jurisdiction] = {}
    for p in places():
        if not p.code:
            continue  # known to the loaders by name only: a hashed IRI, as any unknown place
        j = Jurisdiction(p.code, p.name, p.level, p.short, p.code, p.parent or None, p.en or None)
        out[p.name] = j
        out.setdefault(p.short, j)
    return out


def by_code(code: str) -> Jurisdiction | None:
    for j in jurisdictions().values():
        if j.code == code:
            return j
    return None


def _strip_level(name: str) -> str:
    for suffix in ("维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省", "市"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def resolve_jurisdiction(name: str | None) -> Jurisdiction | None:
    if not name:
        return None
    key = name_key(name)
    known = jurisdictions()
    j = known.get(key) or known.get(_strip_level(key))
    if j:
        return j
    if key.endswith(("省", "自治区")):
        level = "province"
    elif key.endswith(("区", "县", "旗")) and len(key) > 2:
        level = "district"
    else:
        level = "city"
    short = key[:-1] if level == "district" and len(key) > 2 else _strip_level(key)
    return Jurisdiction("h-" + h(key), key, level, short)


def province_of(j: Jurisdiction) -> Jurisdiction:
    """The province of a city (a placeholder node when the gazetteer does not know it)."""
    if j.level == "province":
        return j
    if j.parent:
        p = by_code(j.parent)
        if p:
            return p if p.level == "province" else province_of(p)
    return Jurisdiction(j.slug + "-province", f"{j.name}所在省", "province", "")


_COLLECTIVE = re.compile(r"^各|各(相关|有关|级|类|成员)|^(相关|有关)(部门|单位)|(相关|有关|成员)(部门|单位)$")


def is_collective(key: str) -> bool:
    return bool(_COLLECTIVE.search(key))


@dataclass(frozen=True)
class Resolved:
    kind: str  # "agency" | "collective"
    scope: str  # jurisdiction slug the node is scoped by
    local: str  # last IRI segment: function id, or h-<hash>
    canonical: str  # canonical name (Simplified)
    function: Function | None
    jurisdiction: Jurisdiction | None


def _level_and_rest(key: str, j: Jurisdiction | None) -> tuple[str | None, str, str]:
    """Split a name into (level, rest, the prefix as written: place name, 市, 省 or "")."""
    prov = province_of(j) if j else None
    for place, level in ((j, "city"), (prov, "province")):
        if place is None:
            continue
        if place.level == "province":
            level = "province"
        for prefix in (place.name, place.short):
            if prefix and key.startswith(prefix) and len(key) > len(prefix):
                return level, key[len(prefix):], prefix
    if j is not None and j.level == "district" and key[:1] in ("区", "县") and len(key) > 1:
        return "district", key[1:], key[:1]  # 区发改委 in a district's own text
    if key.startswith("市") and len(key) > 1:
        return "city", key[1:], "市"
    if key.startswith("省") and len(key) > 1:
        return "province", key[1:], "省"
    return None, key, ""


def _without_places(rest: str, j: Jurisdiction | None) -> str:
    """人民银行无锡市分行 -> 人民银行分行: place names inside a name, removed."""
    if j is None:
        return rest
    for place in (j, province_of(j)):
        for name in (place.name, place.short):
            if name and len(name) > 1 and name in rest:
                rest = rest.replace(name, "")
    return rest


def resolve_agency(name: str, jurisdiction: Jurisdiction | None, *, collective: bool = False,
                   fallback_scope: str = "none") -> Resolved:
    """Resolve one agency mention (as written or as key) within a document's jurisdiction."""
    key = name_key(name)
    if collective or is_collective(key):
        scope = jurisdiction.slug if jurisdiction else fallback_scope
        return Resolved("collective", scope, "h-" + h(key), key, None, jurisdiction)
    key = re.sub(r"^(中国共产党|中共)(?=.)", "", key)  # 中共普洱市委办公室 -> 普洱市委办公室
    if jurisdiction is not None and jurisdiction.level == "district":
        # 重庆市沙坪坝区人民政府办公室 in 沙坪坝区's text: drop the city before the district
        i = key.find(jurisdiction.name)
        if i > 0 and key[:i].endswith(("市", "省")):
            key = key[i:]
    level, rest, prefix = _level_and_rest(key, jurisdiction)
    explicit_level = level is not None
    if level is None:
        if rest.endswith("厅"):
            level = "province"
        else:
            level = jurisdiction.level if jurisdiction else "city"
    if jurisdiction is None:
        target = None
    elif level == "province":
        target = province_of(jurisdiction)
    elif level == "city" and jurisdiction.level == "district" and prefix == "市":
        target = None  # 市X in a district's text: the city is not known here
    else:
        target = jurisdiction
    scope = target.slug if target else fallback_scope
    index = _variant_index()
    f = index.get(rest)
    if f is not None:
        # 市科技局 / 无锡市科技局 -> 无锡市科学技术局; 无锡海关 (short name) -> 无锡海关
        if target is None:
            place = prefix
        elif prefix and prefix == target.short:
            place = target.short
        else:
            place = target.name
        canonical = place + (f.province if level == "province" else f.city)
        return Resolved("agency", scope, f.id, canonical, f, target)
    inner = _without_places(rest, target)
    f = index.get(inner) if inner != rest else None
    if f is None:  # 市委办公室(市委督查室): the name before a bracketed second name
        bare = re.sub(r"\([^()]*\)$", "", rest)
        if bare != rest and index.get(bare) is not None:
            f = index[bare]
            place = target.name if target is not None else prefix
            canonical = place + (f.province if level == "province" else f.city)
            return Resolved("agency", scope, f.id, canonical, f, target)
    if f is not None:  # 人民银行无锡市分行: keep the name as written as the canonical one
        return Resolved("agency", scope, f.id, key, f, target)
    if target is not None and key.startswith(("市", "省")):
        canonical = target.name + rest  # 市科技局 -> 无锡市科技局
    else:
        canonical = key  # as written (无锡经济开发区管委会) or no prefix to expand
    # unknown names: keyed on level + name without prefix, so 市X and 无锡市X are one node
    local = "h-" + h(f"{level}|{rest}" if explicit_level else f"{level}|{key}")
    return Resolved("agency", scope, local, canonical, None, target)
