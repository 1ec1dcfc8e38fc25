"""Horizontal bar charts drawn as SVG on the server: no script, no CDN, readable in greyscale.

Bars are dark grey, the district bar is black with a hatch, a suppressed bar is
drawn as an outline with its note written out, and every value is printed as
text beside its bar, so colour never carries meaning.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    note: str = ""
    district: bool = False


def bar_chart(title: str, bars: list[Bar], description: str) -> Markup:
    """An accessible SVG: role=img with <title> and <desc>; the table beside it has the numbers."""
    label_width, bar_width, row = 190, 260, 22
    height = row * len(bars) + 10
    width = label_width + bar_width + 120
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
        f"<title>{escape(title)}</title><desc>{escape(description)}</desc>",
        '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="#000"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#fff" stroke-width="2"/></pattern></defs>',
    ]
    for index, bar in enumerate(bars):
        y = 5 + index * row
        weight = ' font-weight="bold"' if bar.district else ""
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 14}" text-anchor="end" font-size="12"'
            f"{weight}>{escape(bar.label[:30])}</text>"
        )
        if bar.value is None:
            parts.append(
                f'<rect x="{label_width}" y="{y + 3}" width="{bar_width}" height="14" '
                'fill="none" stroke="#555" stroke-dasharray="3 2"/>'
                f'<text x="{label_width + 6}" y="{y + 14}" font-size="11" '
                f'font-style="italic">{escape(bar.note)}</text>'
            )
            continue
        length = max(0.0, min(100.0, bar.value)) / 100 * bar_width
        fill = "url(#hatch)" if bar.district else "#444"
        parts.append(
            f'<rect x="{label_width}" y="{y + 3}" width="{length:.1f}" height="14" '
            f'fill="{fill}" stroke="#000" stroke-width="0.5"/>'
            f'<text x="{label_width + length + 5:.1f}" y="{y + 14}" font-size="12">'
            f"{bar.value:.1f}%</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
