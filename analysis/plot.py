"""A picture of the agency network (matplotlib): node size = measures owned, edge width =
co-owned measures, colour = community, Chinese labels in a CJK font.

The font is found by file (Debian's fonts-noto-cjk, which `.ci/install` installs, or the
environment variable POLICYKG_CJK_FONT); without one, matplotlib would draw empty boxes, so
`plot` says so instead of drawing a picture nobody can read.
"""

from __future__ import annotations

import functools
import glob
import os
from pathlib import Path

import networkx as nx

from .metrics import COMMUNITY_SEED, Metrics
from .network import AgencyNetwork

FONT_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)


@functools.lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The font family name of a CJK font file registered with matplotlib, or None."""
    from matplotlib import font_manager

    candidates = [os.environ.get("POLICYKG_CJK_FONT", ""), *FONT_FILES,
                  *sorted(glob.glob("/usr/share/fonts/**/*CJK*Regular*", recursive=True))]
    for path in candidates:
        if path and Path(path).is_file():
            font_manager.fontManager.addfont(path)
            # a .ttc holds JP/KR/SC/TC faces; matplotlib registers the first, which has every hanzi
            return font_manager.FontProperties(fname=path).get_name()
    return None


def _layout(g: nx.Graph) -> dict:
    """Each connected component (usually one jurisdiction) laid out on its own, in a grid of
    cells sized by the component: one spring layout of everything pushes the components to
    the corners and squeezes each into a blot."""
    import math

    parts = sorted(nx.connected_components(g), key=lambda c: (-len(c), min(c)))
    big = [c for c in parts if len(c) > 2]
    small = set().union(*(c for c in parts if len(c) <= 2)) if len(parts) > len(big) else set()
    cells = [*big, small] if small else big
    cols = max(1, math.ceil(math.sqrt(len(cells))))
    pos = {}
    for i, nodes in enumerate(cells):
        sub = g.subgraph(nodes)
        part = (nx.spring_layout(sub, weight="weight", seed=COMMUNITY_SEED, k=2.5 / math.sqrt(len(nodes)))
                if sub.number_of_edges() else nx.circular_layout(sub))
        x0, y0 = 2.4 * (i % cols), -2.4 * (i // cols)
        pos.update({n: (x0 + x, y0 + y) for n, (x, y) in part.items()})
    return pos


def plot(network: AgencyNetwork, m: Metrics, path: str | Path, labels: int = 40) -> Path:
    """Draw the agency projection of `network` coloured by the communities of `m` into `path`
    (.png or .svg). `labels`: how many agencies to name, the biggest owners first."""
    import matplotlib

    matplotlib.use("Agg")  # no display needed
    import matplotlib.pyplot as plt

    path = Path(path)
    if path.suffix.lower() not in (".png", ".svg"):
        raise ValueError(f"{path.name}: the picture is written as .png or .svg")
    family = cjk_font()
    if family is None:
        raise RuntimeError("no CJK font found for the Chinese labels: install fonts-noto-cjk "
                           "(apt-get install fonts-noto-cjk) or set POLICYKG_CJK_FONT to a font file")
    g = network.projection
    rows = {r.iri: r for r in m.agencies}
    plt.rcParams["font.family"] = family
    plt.rcParams["svg.fonttype"] = "none"  # keep labels as text in SVG: searchable, selectable
    fig, ax = plt.subplots(figsize=(16, 12), dpi=110)
    ax.set_axis_off()
    if g.number_of_nodes():
        pos = _layout(g)
        palette = plt.get_cmap("tab20")
        colours = [palette(((rows[n].community or 0) - 1) % 20) if rows.get(n) and rows[n].community else "#bbbbbb"
                   for n in g]
        sizes = [60 + 40 * (rows[n].measures if n in rows else 1) for n in g]
        widths = [0.4 + 1.2 * d["weight"] ** 0.5 for _, _, d in g.edges(data=True)]
        nx.draw_networkx_edges(g, pos, ax=ax, width=widths, alpha=0.25, edge_color="#555555")
        nx.draw_networkx_nodes(g, pos, ax=ax, node_size=sizes, node_color=colours, alpha=0.9,
                               edgecolors="white", linewidths=0.8)
        named = sorted(g, key=lambda n: -(rows[n].measures if n in rows else 0))[:labels]
        nx.draw_networkx_labels(g, pos, labels={n: g.nodes[n].get("name", n) for n in named}, ax=ax,
                                font_size=8, font_family=family)
    s = m.summary
    ax.set_title(f"部门协同网络 · {s.scope if s.scope != 'all' else '全部'} — {s.agencies} 个部门，"
                 f"{len(m.communities)} 个社群（点大小 = 负责措施数，线宽 = 共同负责措施数，颜色 = 社群）",
                 fontsize=12, fontfamily=family)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
