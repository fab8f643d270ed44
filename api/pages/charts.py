"""Charts drawn on the server as SVG, each with its numbers as a table and as CSV.

No script and no library: every mark is a plain SVG element carrying its value in data
attributes, every word is escaped, and a right-to-left page gets a mirrored chart.
"""

import csv
import io
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from markupsafe import Markup, escape
from starlette.responses import Response

from api.pages import i18n
from api.pages.rendering import Page
from suivi.exporters.table import neutralise

# The status colours of suivi.css (--s-<status>): CSS variables do not reach SVG attributes.
STATUS_COLOURS = {
    "not_assessed": "#9aa5b1",
    "not_started": "#c2410c",
    "in_progress": "#d9a400",
    "partially_implemented": "#4d9de0",
    "implemented": "#1b7f3b",
    "not_implemented": "#a3111f",
    "regressed": "#5b2a86",
}
ACCENT = "#0b5cad"
_INK = "#1d2733"
_MUTED = "#5a6675"
_LINE = "#d5dbe3"

WIDTH = 720
_FONT = 13
# Bars: the labels' column, the gap on each side of a bar, and room for the total after it.
_LABEL_WIDTH = 210
_GAP = 8
_VALUE_WIDTH = 72
_ROW = 30
_BAR = 20
# Trend: the plot's margins (the value axis on the left, years below) and its height.
_AXIS_WIDTH = 64
_PLOT_TOP = 12
_PLOT_HEIGHT = 220
_PLOT_BOTTOM = 36
_MAX_PERIOD_LABELS = 12
_TICKS = 4

_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")

Edge = Literal["left", "right", "middle"]

i18n.register(
    {
        "charts.table": {
            "en": "The numbers as a table",
            "fr": "Les chiffres sous forme de tableau",
            "es": "Las cifras en una tabla",
            "ar": "الأرقام في جدول",
        },
        "charts.total": {"en": "Total", "fr": "Total", "es": "Total", "ar": "المجموع"},
        "charts.csv": {
            "en": "Download the numbers of “{title}” (CSV)",
            "fr": "Télécharger les chiffres de « {title} » (CSV)",
            "es": "Descargar las cifras de «{title}» (CSV)",
            "ar": "تنزيل أرقام «{title}» (CSV)",
        },
        "charts.empty": {
            "en": "Nothing to draw yet: every count is zero.",
            "fr": "Rien à représenter pour l'instant : tous les nombres sont nuls.",
            "es": "Nada que representar por ahora: todos los recuentos son cero.",
            "ar": "لا شيء لرسمه بعد: كل الأعداد صفر.",
        },
    }
)


class Kind(StrEnum):
    """How a chart draws its counts."""

    STACKED = "stacked"
    BARS = "bars"
    TREND = "trend"


@dataclass(frozen=True, slots=True)
class Item:
    """A category or a series: its code, what a person reads, and its colour."""

    code: str
    label: str
    colour: str = ACCENT


@dataclass(frozen=True, slots=True)
class Chart:
    """Counts of categories (the table's rows) by series (its columns), and how to draw them.

    `dimension` names the categories' codes in the CSV (`mechanism`, `year`...).
    """

    name: str
    kind: Kind
    title: str
    description: str
    dimension: str
    heading: str
    categories: Sequence[Item]
    series: Sequence[Item]
    values: Mapping[tuple[str, str], int]

    def __post_init__(self) -> None:
        # The name makes element ids and a file name: nothing a person typed.
        if not _NAME.match(self.name):
            raise ValueError(f"chart name {self.name!r} is not a lower-case slug")

    def value(self, category: str, series: str) -> int:
        """The count of `category` in `series` (zero when none)."""
        return self.values.get((category, series), 0)

    def total(self, category: str) -> int:
        """The count of `category` over every series."""
        return sum(self.value(category, series.code) for series in self.series)

    @property
    def has_totals(self) -> bool:
        """Whether the table ends each row with its total (stacked bars)."""
        return self.kind is Kind.STACKED

    def rows(self) -> list[tuple[Item, list[int]]]:
        """Each category with its counts in series order, then its total for stacked bars."""
        rows = []
        for category in self.categories:
            counts = [self.value(category.code, series.code) for series in self.series]
            if self.has_totals:
                counts.append(sum(counts))
            rows.append((category, counts))
        return rows


def stacked_bars(
    name: str,
    *,
    title: str,
    description: str,
    dimension: str,
    heading: str,
    categories: Sequence[Item],
    series: Sequence[Item],
    values: Mapping[tuple[str, str], int],
) -> Chart:
    """One horizontal bar per category, divided into one segment per series."""
    return Chart(
        name, Kind.STACKED, title, description, dimension, heading, categories, series, values
    )


def bars(
    name: str,
    *,
    title: str,
    description: str,
    dimension: str,
    heading: str,
    counted: str,
    counts: Sequence[tuple[Item, int]],
) -> Chart:
    """One horizontal bar per category, in the category's colour; `counted` heads the counts."""
    series = Item("count", counted)
    return Chart(
        name,
        Kind.BARS,
        title,
        description,
        dimension,
        heading,
        [item for item, _ in counts],
        [series],
        {(item.code, series.code): count for item, count in counts},
    )


def trend(
    name: str,
    *,
    title: str,
    description: str,
    dimension: str,
    heading: str,
    periods: Sequence[Item],
    series: Sequence[Item],
    values: Mapping[tuple[str, str], int],
) -> Chart:
    """One line per series across `periods` (years, cycles), a point per period."""
    return Chart(name, Kind.TREND, title, description, dimension, heading, periods, series, values)


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


class _Canvas:
    """SVG elements placed in left-to-right coordinates, mirrored for a right-to-left page."""

    def __init__(self, width: int, height: int, *, rtl: bool) -> None:
        self.width = width
        self.height = height
        self.rtl = rtl
        self.parts: list[str] = []

    def x(self, x: float, width: float = 0) -> float:
        return self.width - x - width if self.rtl else x

    def rect(
        self,
        x: float,
        y: float,
        width: float,
        height: float,
        *,
        fill: str,
        title: str,
        data: Mapping[str, object],
    ) -> None:
        attributes = "".join(f' data-{key}="{escape(str(v))}"' for key, v in data.items())
        self.parts.append(
            f'<rect class="mark" x="{_number(self.x(x, width))}" y="{_number(y)}" '
            f'width="{_number(width)}" height="{_number(height)}" fill="{escape(fill)}" '
            f'stroke="#ffffff" stroke-width="1"{attributes}><title>{escape(title)}</title></rect>'
        )

    def circle(
        self, x: float, y: float, *, fill: str, title: str, data: Mapping[str, object]
    ) -> None:
        attributes = "".join(f' data-{key}="{escape(str(v))}"' for key, v in data.items())
        self.parts.append(
            f'<circle class="mark" cx="{_number(self.x(x))}" cy="{_number(y)}" r="3.5" '
            f'fill="{escape(fill)}"{attributes}><title>{escape(title)}</title></circle>'
        )

    def line(self, x1: float, y1: float, x2: float, y2: float, *, stroke: str = _LINE) -> None:
        self.parts.append(
            f'<line x1="{_number(self.x(x1))}" y1="{_number(y1)}" x2="{_number(self.x(x2))}" '
            f'y2="{_number(y2)}" stroke="{escape(stroke)}" stroke-width="1"/>'
        )

    def path(self, points: Sequence[tuple[float, float]], *, stroke: str, series: str) -> None:
        moves = " ".join(
            f"{'M' if index == 0 else 'L'}{_number(self.x(x))},{_number(y)}"
            for index, (x, y) in enumerate(points)
        )
        self.parts.append(
            f'<path class="line" d="{moves}" fill="none" stroke="{escape(stroke)}" '
            f'stroke-width="2.5" '
            f'data-series="{escape(series)}"/>'
        )

    def text(self, x: float, y: float, content: str, *, edge: Edge, fill: str = _INK) -> None:
        """`content` with its `edge` at x: the right edge of a label before its bar, say."""
        if self.rtl and edge != "middle":
            edge = "left" if edge == "right" else "right"
        # In right-to-left text `start` is the right edge, so that Arabic reads naturally.
        if edge == "middle":
            anchor = "middle"
        elif (edge == "left") != self.rtl:
            anchor = "start"
        else:
            anchor = "end"
        direction = ' direction="rtl"' if self.rtl else ""
        self.parts.append(
            f'<text x="{_number(self.x(x))}" y="{_number(y)}" text-anchor="{anchor}"'
            f'{direction} fill="{escape(fill)}">{escape(content)}</text>'
        )

    def markup(self, chart: Chart) -> Markup:
        ident = f"chart-{chart.name}"
        return Markup(
            f'<svg xmlns="http://www.w3.org/2000/svg" role="img" '
            f'aria-labelledby="{ident}-title {ident}-desc" viewBox="0 0 {self.width} '
            f'{self.height}" width="{self.width}" height="{self.height}" '
            f'font-size="{_FONT}" direction="ltr" data-kind="{chart.kind.value}">'
            f'<title id="{ident}-title">{escape(chart.title)}</title>'
            f'<desc id="{ident}-desc">{escape(chart.description)}</desc>'
            + "".join(self.parts)
            + "</svg>"
        )


def _bar_chart(chart: Chart, *, rtl: bool, number: Callable[[int], str]) -> Markup:
    height = 2 * _GAP + max(1, len(chart.categories)) * _ROW
    canvas = _Canvas(WIDTH, height, rtl=rtl)
    span = WIDTH - _LABEL_WIDTH - _VALUE_WIDTH - 2 * _GAP
    largest = max((chart.total(category.code) for category in chart.categories), default=0)
    scale = span / max(largest, 1)
    start = _LABEL_WIDTH + _GAP
    is_bars = chart.kind is Kind.BARS
    canvas.line(start, _GAP, start, height - _GAP, stroke=_MUTED)
    for index, category in enumerate(chart.categories):
        top = _GAP + index * _ROW + (_ROW - _BAR) / 2
        baseline = top + _BAR / 2 + _FONT / 3
        canvas.text(_LABEL_WIDTH, baseline, category.label, edge="right")
        offset = 0.0
        for series in chart.series:
            value = chart.value(category.code, series.code)
            if value == 0:
                continue
            width = value * scale
            title = (
                f"{category.label}: {number(value)}"
                if is_bars
                else f"{category.label}, {series.label}: {number(value)}"
            )
            canvas.rect(
                start + offset,
                top,
                # A count of one among a million still shows as a sliver.
                max(width, 0.5),
                _BAR,
                fill=category.colour if is_bars else series.colour,
                title=title,
                data={"category": category.code, "series": series.code, "value": value},
            )
            offset += width
        canvas.text(start + offset + 6, baseline, number(chart.total(category.code)), edge="left")
    return canvas.markup(chart)


def _tick(largest: int) -> int:
    """A round whole step (1, 1.25, 1.5, 2, 2.5... times a power of ten), four of which
    reach `largest`."""
    wanted = max(largest / _TICKS, 1)
    magnitude = 10 ** math.floor(math.log10(wanted))
    for multiple in (1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 7.5, 8, 10):
        step = multiple * magnitude
        if step >= wanted and step == int(step):
            return int(step)
    return int(10 * magnitude)


def _trend_chart(chart: Chart, *, rtl: bool, number: Callable[[int], str]) -> Markup:
    height = _PLOT_TOP + _PLOT_HEIGHT + _PLOT_BOTTOM
    canvas = _Canvas(WIDTH, height, rtl=rtl)
    left, right = _AXIS_WIDTH, WIDTH - 16
    bottom = _PLOT_TOP + _PLOT_HEIGHT
    largest = max(
        (chart.value(p.code, s.code) for p in chart.categories for s in chart.series), default=0
    )
    tick = _tick(largest)
    top_value = tick * _TICKS
    for step in range(_TICKS + 1):
        y = bottom - _PLOT_HEIGHT * step / _TICKS
        canvas.line(left, y, right, y, stroke=_MUTED if step == 0 else _LINE)
        canvas.text(left - 6, y + _FONT / 3, number(tick * step), edge="right", fill=_MUTED)
    periods = list(chart.categories)
    band = (right - left) / max(len(periods), 1)

    def x_of(index: int) -> float:
        return left + band * (index + 0.5)

    def y_of(value: int) -> float:
        return bottom - _PLOT_HEIGHT * value / top_value

    every = math.ceil(len(periods) / _MAX_PERIOD_LABELS) if periods else 1
    for index, period in enumerate(periods):
        if index % every == 0 or index == len(periods) - 1:
            canvas.text(x_of(index), bottom + 20, period.label, edge="middle", fill=_MUTED)
    for series in chart.series:
        points = [chart.value(period.code, series.code) for period in periods]
        if not any(points):
            continue
        canvas.path(
            [(x_of(i), y_of(v)) for i, v in enumerate(points)],
            stroke=series.colour,
            series=series.code,
        )
        for index, (period, value) in enumerate(zip(periods, points, strict=True)):
            canvas.circle(
                x_of(index),
                y_of(value),
                fill=series.colour,
                title=f"{period.label}, {series.label}: {number(value)}",
                data={"category": period.code, "series": series.code, "value": value},
            )
    return canvas.markup(chart)


def svg(chart: Chart, *, rtl: bool, number: Callable[[int], str] = str) -> Markup:
    """The chart as an SVG image, its title and description named by `aria-labelledby`."""
    if chart.kind is Kind.TREND:
        return _trend_chart(chart, rtl=rtl, number=number)
    return _bar_chart(chart, rtl=rtl, number=number)


def _table(chart: Chart, page: Page) -> str:
    header = "".join(
        f'<th scope="col" class="number">{escape(series.label)}</th>' for series in chart.series
    )
    if chart.has_totals:
        header += f'<th scope="col" class="number">{escape(page.t("charts.total"))}</th>'
    body = "".join(
        f'<tr><th scope="row">{escape(category.label)}</th>'
        + "".join(
            f'<td class="number" data-value="{count}">{escape(page.number(count))}</td>'
            for count in counts
        )
        + "</tr>"
        for category, counts in chart.rows()
    )
    return (
        f"<table><caption>{escape(chart.title)}</caption>"
        f'<thead><tr><th scope="col">{escape(chart.heading)}</th>{header}</tr></thead>'
        f"<tbody>{body}</tbody></table>"
    )


def _legend(chart: Chart) -> str:
    if chart.kind is Kind.BARS:
        return ""
    # Colour is never alone: the legend names each series, and the table gives the numbers.
    items = "".join(
        f'<li><svg class="swatch" width="14" height="14" aria-hidden="true" focusable="false">'
        f'<rect width="14" height="14" fill="{escape(series.colour)}" stroke="{_INK}"/></svg>'
        f"{escape(series.label)}</li>"
        for series in chart.series
    )
    return f'<ul class="legend">{items}</ul>'


def figure(chart: Chart, page: Page, csv_href: str) -> Markup:
    """The chart in a `<figure>`: the image, its caption and legend, the table, the CSV link."""
    empty = not any(chart.values.values())
    drawing = (
        f'<p class="hint">{escape(page.t("charts.empty"))}</p>'
        if empty
        else svg(chart, rtl=page.dir == "rtl", number=page.number)
    )
    download = page.t("charts.csv", title=chart.title)
    return Markup(
        f'<figure class="chart" id="chart-{chart.name}">'
        f"{drawing}"
        f"<figcaption>{escape(chart.title)}. {escape(chart.description)}</figcaption>"
        f"{'' if empty else _legend(chart)}"
        f'<details class="data"><summary>{escape(page.t("charts.table"))}</summary>'
        f"{_table(chart, page)}</details>"
        f'<p class="download"><a href="{escape(csv_href)}" download>{escape(download)}</a></p>'
        f"</figure>"
    )


def to_csv(chart: Chart) -> str:
    """The chart's numbers as CSV: each category's code and label, then a column per series."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    header = [chart.dimension, "label", *(series.code for series in chart.series)]
    writer.writerow([*header, "total"] if chart.has_totals else header)
    for category, counts in chart.rows():
        writer.writerow([neutralise(category.code), neutralise(category.label), *counts])
    # A byte order mark, so that spreadsheets read accented and Arabic labels as UTF-8.
    return "\ufeff" + buffer.getvalue()


def csv_download(chart: Chart, filename: str) -> Response:
    """`chart`'s numbers as a CSV file to download; the labels follow the page's language."""
    return Response(
        to_csv(chart),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Vary": "Accept-Language",
        },
    )
