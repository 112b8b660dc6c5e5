"""Bar charts drawn on the server as inline SVG: no CDN, no script. Pure: no Flask, no database.

Accessible: the SVG has role="img", a <title> and a <desc>, and the page shows the same numbers as a table.
A suppressed value ("<5" or "x") is drawn as no bar with its label, never as a height that would reveal it.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

# Colours that stay apart for the common colour-blindnesses (Okabe–Ito), with a pattern-free legend text.
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7")
WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 640, 260, 40, 40, 30


def _number(value: str) -> int | None:
    """A published value as a number, or None when it is suppressed."""
    return int(value) if value.isdecimal() else None


def bar_chart(chart_id: str, title: str, labels: list[str], series: list[tuple[str, list[str]]]) -> str:
    """Grouped bars: one group per label (month), one bar per series; published values as text."""
    heights = [_number(v) for _, values in series for v in values]
    top = max([h for h in heights if h is not None] + [1])
    plot_h = HEIGHT - BOTTOM - TOP
    group_w = (WIDTH - LEFT - 10) / max(len(labels), 1)
    bar_w = max(4.0, (group_w - 10) / max(len(series), 1))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" class="chart" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(describe(labels, series))}</desc>',
        f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH - 5}" y2="{HEIGHT - BOTTOM}" stroke="#333"/>',
        f'<text x="{LEFT - 5}" y="{TOP + 4}" text-anchor="end" font-size="11">{top}</text>',
        f'<text x="{LEFT - 5}" y="{HEIGHT - BOTTOM}" text-anchor="end" font-size="11">0</text>',
    ]
    for g, label in enumerate(labels):
        x0 = LEFT + 5 + g * group_w
        parts.append(f'<text x="{x0 + group_w / 2 - 5:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
                     f'font-size="11">{escape(label)}</text>')
        for s, (_, values) in enumerate(series):
            value = values[g]
            x = x0 + s * bar_w
            number = _number(value)
            if number is None:
                parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{HEIGHT - BOTTOM - 4}" text-anchor="middle" '
                             f'font-size="10">{escape(value)}</text>')
                continue
            h = plot_h * number / top
            parts.append(f'<rect x="{x:.1f}" y="{HEIGHT - BOTTOM - h:.1f}" width="{bar_w - 2:.1f}" height="{h:.1f}" '
                         f'fill="{COLOURS[s % len(COLOURS)]}"><title>{escape(label)}: {number}</title></rect>')
    for s, (name, _) in enumerate(series):
        x = LEFT + s * 150
        parts.append(f'<rect x="{x}" y="6" width="10" height="10" fill="{COLOURS[s % len(COLOURS)]}"/>'
                     f'<text x="{x + 14}" y="15" font-size="11">{escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def describe(labels: list[str], series: list[tuple[str, list[str]]]) -> str:
    """The chart in words, for screen readers: each series and its values by label."""
    return "; ".join(f"{name}: " + ", ".join(f"{label} {value}" for label, value in zip(labels, values, strict=True))
                     for name, values in series)
