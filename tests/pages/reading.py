"""Reading a page's HTML as a person or a screen reader would: figures, tables, links."""

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Figure:
    """One `<figure class="chart">` as a reader (or a browser test) finds it."""

    name: str
    svg: dict[str, str] = field(default_factory=dict)
    labelled: dict[str, str] = field(default_factory=dict)
    marks: list[dict[str, str]] = field(default_factory=list)
    lines: int = 0
    header: list[str] = field(default_factory=list)
    rows: list[tuple[str, list[int]]] = field(default_factory=list)
    caption: str = ""
    legend: list[str] = field(default_factory=list)
    csv: str | None = None
    texts: list[tuple[dict[str, str], str]] = field(default_factory=list)

    def counts(self) -> dict[tuple[str, str], int]:
        """The marks' values by (category, series)."""
        return {(m["data-category"], m["data-series"]): int(m["data-value"]) for m in self.marks}

    def table(self) -> dict[str, list[int]]:
        """Each table row's numbers by its row header."""
        return dict(self.rows)


@dataclass
class Table:
    """A table with an id outside the figures: its cells' texts and numbers, row by row."""

    rows: list[list[str]] = field(default_factory=list)
    values: list[list[int]] = field(default_factory=list)


_TEXT_TAGS = frozenset({"th", "td", "title", "desc", "figcaption", "li", "a", "text", "h1"})


class PageReader(HTMLParser):
    """The root, the figures, the tables with an id and the links of a page."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.root: dict[str, str] = {}
        self.figures: dict[str, Figure] = {}
        self.tables: dict[str, Table] = {}
        self.links: list[str] = []
        self.anchors: list[dict[str, str]] = []
        self.h1 = ""
        self._figure: Figure | None = None
        self._table: Table | None = None
        self._texts: list[tuple[str, dict[str, str], list[str]]] = []
        self._in_thead = False
        self._in_legend = False
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        figure = self._figure
        if tag == "html":
            self.root = found
        elif tag == "figure" and "chart" in found.get("class", "").split():
            self._figure = Figure(found["id"].removeprefix("chart-"))
            self.figures[self._figure.name] = self._figure
        elif tag == "table" and figure is None and found.get("id"):
            self._table = Table()
            self.tables[found["id"]] = self._table
        elif tag == "a" and found.get("href"):
            self.links.append(found["href"])
            self.anchors.append(found)
            if figure is not None:
                figure.csv = found["href"]
        if figure is not None:
            if tag == "svg" and found.get("role") == "img":
                figure.svg = found
            elif "mark" in found.get("class", "").split():
                figure.marks.append(found)
            elif tag == "path" and found.get("class") == "line":
                figure.lines += 1
            elif tag == "thead":
                self._in_thead = True
            elif tag == "tr" and not self._in_thead:
                figure.rows.append(("", []))
            elif tag == "td" and "data-value" in found:
                figure.rows[-1][1].append(int(found["data-value"]))
            elif tag == "ul" and found.get("class") == "legend":
                self._in_legend = True
        elif self._table is not None:
            if tag == "thead":
                self._in_thead = True
            elif tag == "tr" and not self._in_thead:
                self._table.rows.append([])
                self._table.values.append([])
            elif tag == "td" and "data-value" in found and not self._in_thead:
                self._table.values[-1].append(int(found["data-value"]))
        if tag in _TEXT_TAGS:
            self._texts.append((tag, found, []))

    def handle_endtag(self, tag: str) -> None:
        figure = self._figure
        if self._texts and self._texts[-1][0] == tag:
            _, attributes, parts = self._texts.pop()
            text = " ".join("".join(parts).split())
            for outer in self._texts:
                outer[2].append(text)
            if tag == "h1" and not self.h1:
                self.h1 = text
            if figure is not None:
                figure.texts.append((attributes, text))
                if tag in ("title", "desc") and attributes.get("id"):
                    figure.labelled[attributes["id"]] = text
                elif tag == "figcaption":
                    figure.caption = text
                elif tag == "th" and attributes.get("scope") == "col":
                    figure.header.append(text)
                elif tag == "th" and attributes.get("scope") == "row":
                    figure.rows[-1] = (text, figure.rows[-1][1])
                elif tag == "li" and self._in_legend:
                    figure.legend.append(text)
            elif self._table is not None and tag in ("th", "td") and not self._in_thead:
                self._table.rows[-1].append(text)
        if tag == "thead":
            self._in_thead = False
        elif tag == "ul":
            self._in_legend = False
        elif tag == "figure":
            self._figure = None
        elif tag == "table" and figure is None:
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._texts:
            self._texts[-1][2].append(data)


VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta"})


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]
    ancestors: tuple[str, ...]
    text: list[str] = field(default_factory=list)

    def get(self, name: str) -> str | None:
        return self.attrs.get(name)

    @property
    def content(self) -> str:
        return " ".join("".join(self.text).split())


class Document(HTMLParser):
    """Every element of a page, with its attributes, ancestors and text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._open: list[Element] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, dict(attrs), tuple(e.tag for e in self._open))
        self.elements.append(element)
        if tag not in VOID:
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index].tag == tag:
                del self._open[index:]
                return

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element.text.append(data)

    def all(self, tag: str) -> list[Element]:
        return [e for e in self.elements if e.tag == tag]

    def by_id(self, element_id: str) -> Element:
        [element] = [e for e in self.elements if e.get("id") == element_id]
        return element
