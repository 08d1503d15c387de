"""Small server-rendered SVG charts (no JavaScript, no CDN): a line chart and grouped bars.

Every chart carries a ``<title>`` and a ``<desc>`` listing its values, and each point or bar its
own ``<title>`` (hover text); the same numbers are always in a table next to it.
"""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT, PAD = 560, 220, 36


def _scale(values: list[float]) -> float:
    top = max([v for v in values if v is not None] or [0])
    return top if top > 0 else 1


def line_chart(points: list[tuple[str, float | None]], *, title: str, maximum: float | None = None) -> SafeString:
    """A line through ``(label, value)``; missing values break the line and are said so in the description."""
    known = [v for _l, v in points if v is not None]
    top = maximum or _scale(known)
    n = max(len(points) - 1, 1)
    inner_w, inner_h = WIDTH - 2 * PAD, HEIGHT - 2 * PAD

    def xy(i: int, v: float) -> tuple[float, float]:
        return round(PAD + inner_w * i / n, 1), round(HEIGHT - PAD - inner_h * v / top, 1)

    segments: list[list[tuple[float, float]]] = [[]]
    dots = []
    for i, (label, value) in enumerate(points):
        if value is None:
            segments.append([])
            continue
        x, y = xy(i, value)
        segments[-1].append((x, y))
        dots.append((x, y, f"{label} : {value:.2f}"))
    paths = format_html_join(
        "",
        '<polyline points="{}" fill="none" stroke="#1d4e89" stroke-width="2"/>',
        ((" ".join(f"{x},{y}" for x, y in seg),) for seg in segments if len(seg) > 1),
    )
    circles = format_html_join("", '<circle cx="{}" cy="{}" r="4" fill="#1d4e89"><title>{}</title></circle>', dots)
    labels = format_html_join(
        "",
        '<text x="{}" y="{}" font-size="10" text-anchor="middle">{}</text>',
        ((xy(i, 0)[0], HEIGHT - PAD + 14, label) for i, (label, _v) in enumerate(points)),
    )
    axis = format_html(
        '<line x1="{p}" y1="{b}" x2="{r}" y2="{b}" stroke="#9aa5b1"/>'
        '<text x="4" y="{t}" font-size="10">{top}</text><text x="4" y="{b}" font-size="10">0</text>',
        p=PAD,
        b=HEIGHT - PAD,
        r=WIDTH - PAD,
        t=PAD,
        top=f"{top:g}",
    )
    desc = "; ".join(f"{label}: {'—' if v is None else f'{v:.2f}'}" for label, v in points)
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="100%" role="img" class="chart">'
        "<title>{title}</title><desc>{desc}</desc>{axis}{paths}{circles}{labels}</svg>",
        w=WIDTH,
        h=HEIGHT,
        title=title,
        desc=desc,
        axis=axis,
        paths=paths,
        circles=circles,
        labels=labels,
    )


def bar_chart(
    rows: list[tuple[str, list[float]]], *, title: str, series: list[str], colours: tuple[str, ...] = ()
) -> SafeString:
    """Grouped vertical bars: one group per row label, one bar per series."""
    colours = colours or ("#1d4e89", "#a4161a", "#2b9348", "#f4a261")
    top = _scale([v for _l, values in rows for v in values])
    inner_w, inner_h = WIDTH - 2 * PAD, HEIGHT - 2 * PAD
    group_w = inner_w / max(len(rows), 1)
    bar_w = max(group_w / (len(series) + 1), 1)
    bars, labels = [], []
    for i, (label, values) in enumerate(rows):
        for j, value in enumerate(values):
            h = inner_h * value / top
            x = PAD + i * group_w + j * bar_w + bar_w / 2
            bars.append(
                (
                    round(x, 1),
                    round(HEIGHT - PAD - h, 1),
                    round(bar_w, 1),
                    round(h, 1),
                    colours[j % len(colours)],
                    f"{label} — {series[j]} : {value:g}",
                )
            )
        labels.append((round(PAD + (i + 0.5) * group_w, 1), HEIGHT - PAD + 14, label))
    legend = format_html_join(
        "",
        '<rect x="{}" y="4" width="10" height="10" fill="{}"/><text x="{}" y="13" font-size="10">{}</text>',
        ((PAD + k * 130, colours[k % len(colours)], PAD + k * 130 + 14, name) for k, name in enumerate(series)),
    )
    desc = "; ".join(
        f"{label}: " + ", ".join(f"{s} {v:g}" for s, v in zip(series, values, strict=False)) for label, values in rows
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="100%" role="img" class="chart">'
        "<title>{title}</title><desc>{desc}</desc>{legend}{bars}{labels}</svg>",
        w=WIDTH,
        h=HEIGHT,
        title=title,
        desc=desc,
        legend=legend,
        bars=format_html_join(
            "",
            '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}</title></rect>',
            bars,
        ),
        labels=format_html_join("", '<text x="{}" y="{}" font-size="9" text-anchor="middle">{}</text>', labels)
        if len(rows) <= 24
        else mark_safe(""),
    )
