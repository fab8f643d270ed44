"""The server-drawn SVG charts: marks that carry the table's numbers, escaped words, mirroring."""

import csv
import io

import pytest
from starlette.requests import Request

from api.pages import charts
from api.pages.charts import Chart, Item
from api.pages.rendering import Page
from tests.pages.reading import Figure, PageReader


def page_in(language: str) -> Page:
    """The page helpers of a request for `language`."""
    query = f"lang={language}".encode()
    scope = {"type": "http", "method": "GET", "path": "/", "query_string": query, "headers": []}
    return Page(Request(scope))


STATUSES = [Item("implemented", "Implemented", "#1b7f3b"), Item("regressed", "Regressed")]


def stacked() -> Chart:
    return charts.stacked_bars(
        "status",
        title="Status by mechanism",
        description="One bar per mechanism",
        dimension="mechanism",
        heading="Mechanism",
        categories=[Item("upr", "UPR"), Item("treaty_body", "Treaty bodies")],
        series=STATUSES,
        values={
            ("upr", "implemented"): 1200,
            ("upr", "regressed"): 3,
            ("treaty_body", "regressed"): 7,
        },
    )


def read_figure(chart: Chart, language: str = "en") -> Figure:
    html = charts.figure(chart, page_in(language), "/charts/x.csv?lang=" + language)
    return PageReader(str(html)).figures[chart.name]


def test_stacked_bars_draw_a_mark_per_nonzero_count_with_the_table_numbers() -> None:
    figure = read_figure(stacked())

    assert figure.counts() == {
        ("upr", "implemented"): 1200,
        ("upr", "regressed"): 3,
        ("treaty_body", "regressed"): 7,
    }
    assert all(mark["fill"] for mark in figure.marks)
    assert figure.header == ["Mechanism", "Implemented", "Regressed", "Total"]
    assert figure.table() == {"UPR": [1200, 3, 1203], "Treaty bodies": [0, 7, 7]}
    assert figure.legend == ["Implemented", "Regressed"]


def test_a_segment_is_filled_with_its_status_colour() -> None:
    figure = read_figure(stacked())

    fills = {mark["data-series"]: mark["fill"] for mark in figure.marks}
    assert fills["implemented"] == charts.STATUS_COLOURS["implemented"]


def test_bars_draw_each_category_in_its_colour() -> None:
    chart = charts.bars(
        "positions",
        title="Positions",
        description="Supported or noted",
        dimension="position",
        heading="Position",
        counted="Recommendations",
        counts=[(Item("supported", "Supported", "#111111"), 5), (Item("noted", "Noted"), 0)],
    )
    figure = read_figure(chart)

    assert [(m["data-category"], m["data-value"], m["fill"]) for m in figure.marks] == [
        ("supported", "5", "#111111")
    ]
    assert figure.header == ["Position", "Recommendations"]
    assert figure.table() == {"Supported": [5], "Noted": [0]}
    assert figure.legend == []


def test_trend_draws_a_line_per_series_with_counts_and_a_point_per_period() -> None:
    chart = charts.trend(
        "trend",
        title="Status at each year's end",
        description="One line per status",
        dimension="year",
        heading="Year",
        periods=[Item("2022", "2022"), Item("2023", "2023"), Item("2024", "2024")],
        series=STATUSES,
        values={("2022", "implemented"): 1, ("2024", "implemented"): 4},
    )
    figure = read_figure(chart)

    assert figure.lines == 1
    assert figure.counts() == {
        ("2022", "implemented"): 1,
        ("2023", "implemented"): 0,
        ("2024", "implemented"): 4,
    }
    assert figure.table() == {"2022": [1, 0], "2023": [0, 0], "2024": [4, 0]}


def test_the_image_is_named_by_its_title_and_description() -> None:
    figure = read_figure(stacked())

    assert figure.svg["role"] == "img"
    assert figure.labelled == {
        "chart-status-title": "Status by mechanism",
        "chart-status-desc": "One bar per mechanism",
    }
    assert figure.svg["aria-labelledby"].split() == list(figure.labelled)
    assert figure.caption.startswith("Status by mechanism")
    assert figure.csv == "/charts/x.csv?lang=en"


def test_words_in_a_chart_are_escaped() -> None:
    hostile = '<script>alert("x")</script>'
    chart = charts.bars(
        "hostile",
        title=hostile,
        description=hostile,
        dimension="state",
        heading=hostile,
        counted=hostile,
        counts=[(Item("a&b", hostile), 2)],
    )
    html = str(charts.figure(chart, page_in("en"), '/x.csv?a="b"'))

    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert 'data-category="a&amp;b"' in html
    assert 'href="/x.csv?a=&#34;b&#34;"' in html


def test_right_to_left_mirrors_the_bars_and_keeps_labels_at_their_start() -> None:
    left = PageReader(str(charts.figure(stacked(), page_in("en"), "/x.csv"))).figures["status"]
    right = PageReader(str(charts.figure(stacked(), page_in("ar"), "/x.csv"))).figures["status"]

    start_left, start_right = left.marks[0], right.marks[0]
    assert float(start_left["x"]) == 218
    assert float(start_right["x"]) + float(start_right["width"]) == charts.WIDTH - 218
    label_left = next(attrs for attrs, text in left.texts if text == "UPR")
    label_right = next(attrs for attrs, text in right.texts if text == "UPR")
    assert (label_left["x"], label_left["text-anchor"]) == ("210", "end")
    assert "direction" not in label_left
    # Right to left, a label's end is its left edge: it ends where the mirrored bar begins.
    assert (label_right["x"], label_right["text-anchor"], label_right["direction"]) == (
        "510",
        "end",
        "rtl",
    )


def test_arabic_numbers_and_labels_appear_in_the_table() -> None:
    figure = read_figure(stacked(), "ar")

    assert figure.header[-1] == "المجموع"
    assert any(text == "1,203" for _, text in figure.texts)


def test_csv_holds_the_table_numbers_with_codes_and_labels() -> None:
    text = charts.to_csv(stacked())

    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows == [
        ["mechanism", "label", "implemented", "regressed", "total"],
        ["upr", "UPR", "1200", "3", "1203"],
        ["treaty_body", "Treaty bodies", "0", "7", "7"],
    ]


def test_csv_neutralises_a_label_read_as_a_formula() -> None:
    chart = charts.bars(
        "formula",
        title="t",
        description="d",
        dimension="state",
        heading="h",
        counted="c",
        counts=[(Item("x", "=HYPERLINK(1)"), 1)],
    )

    assert "'=HYPERLINK(1)" in charts.to_csv(chart)


def test_a_chart_of_zeros_says_so_and_still_has_its_table() -> None:
    chart = charts.stacked_bars(
        "empty",
        title="Nothing",
        description="Nothing yet",
        dimension="mechanism",
        heading="Mechanism",
        categories=[Item("upr", "UPR")],
        series=STATUSES,
        values={},
    )
    html = str(charts.figure(chart, page_in("fr"), "/x.csv"))
    figure = PageReader(html).figures["empty"]

    assert "<svg" not in html
    assert "Rien à représenter" in html
    assert figure.table() == {"UPR": [0, 0, 0]}


def test_a_chart_name_must_be_a_slug() -> None:
    with pytest.raises(ValueError, match="slug"):
        charts.bars(
            'x" onload="1',
            title="t",
            description="d",
            dimension="d",
            heading="h",
            counted="c",
            counts=[],
        )
