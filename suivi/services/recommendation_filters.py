"""The recommendation filters, declared once: the API's parameters, the CLI's options and the SQL.

Lists, statistics, exports and the pages take exactly these filters, so a count, an export and a
paged list of one filter always describe the same recommendations. Adding a filter is one entry
in `FILTERS`: the API's query model (api/recommendation_filters.py), the `suivi export` options
(suivi/cli_export.py), the list's SQL and the statistics' choice of summary are built from it.
"""

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated, Any, NamedTuple

from pydantic import Field, StringConstraints
from sqlalchemy import (
    CHAR,
    BigInteger,
    BindParameter,
    ColumnElement,
    SQLColumnExpression,
    String,
    Text,
    any_,
    bindparam,
    false,
    inspect,
    literal,
    literal_column,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.types import TypeEngine

from models import Document, Recommendation
from models.enums import (
    HrdRelevance,
    ImplementationStatus,
    MechanismCode,
    Position,
    SourceFormat,
)
from suivi.errors import InvalidFilter
from suivi.services import search
from suivi.vectors import Neighbours

_DIALECT = asyncpg_dialect()  # type: ignore[no-untyped-call]
STATE_PATTERN = "^[A-Z]{3}$"
# No control characters: PostgreSQL refuses NUL in text, and none belongs in a label.
_PRINTABLE = r"^[^\x00-\x1f\x7f]*$"

StateCode = Annotated[str, StringConstraints(pattern=STATE_PATTERN)]
Label = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=_PRINTABLE)]
SearchText = Annotated[str, StringConstraints(min_length=1, max_length=500, pattern=_PRINTABLE)]
SdgCode = Annotated[str, StringConstraints(pattern=r"^\d{1,2}(\.[0-9a-z]{1,2})?$")]
Cycle = Annotated[int, Field(ge=1, le=99)]
SessionNumber = Annotated[int, Field(ge=1, le=32767)]
ActionCategory = Annotated[int, Field(ge=1, le=5)]
Year = Annotated[int, Field(ge=1945, le=2100)]


class HrdFilter(StrEnum):
    """Relevance to defenders as lists filter on it: `any` is direct or related."""

    DIRECT = "direct"
    RELATED = "related"
    ANY = "any"


class SearchMode(StrEnum):
    """How `q` finds texts: by their words, by their meaning in any language, or both."""

    HYBRID = "hybrid"
    LEXICAL = "lexical"
    SEMANTIC = "semantic"


class Bodies:
    """The ids of the bodies of each mechanism and of each code: the body filters' values.

    Given to the database as constants, they let the planner estimate how many
    recommendations a mechanism has (through a join it guessed 6% for the UPR's 60%).
    """

    def __init__(self, rows: Sequence[tuple[int, str, str]]) -> None:
        self.by_mechanism: dict[str, list[int]] = {}
        self.by_code: dict[str, list[int]] = {}
        # Each body's code and mechanism, by id: what statistics by body name.
        self.by_id: dict[int, tuple[str, str]] = {}
        for body_id, code, mechanism in rows:
            self.by_id[body_id] = (code, mechanism)
            self.by_mechanism.setdefault(mechanism, []).append(body_id)
            self.by_code.setdefault(code, []).append(body_id)

    def of_mechanisms(self, codes: Sequence[str]) -> list[int]:
        return sorted({i for code in codes for i in self.by_mechanism.get(code, ())})

    def of_codes(self, codes: Sequence[str]) -> list[int]:
        return sorted({i for code in codes for i in self.by_code.get(code, ())})


BODIES_QUERY = "SELECT id, code, mechanism_code FROM bodies"

# How a filter compares: one of its values with `=`, several with `= ANY`, so that one value
# keeps the plans (and the partial indexes) of an equality; a list column overlaps (`&&`,
# what its GIN index answers); the others are bounds or a search.
Condition = Callable[[BindParameter[Any]], ColumnElement[bool]]
# The same condition on a summary table (`recommendation_counts`, `..._facet_counts`), given
# the table and the bound value.
Counted = Callable[[Any, Any], ColumnElement[bool]]


@dataclass(frozen=True, slots=True)
class RecommendationFilter:
    """One filter: its parameter, the type of one value, and what it keeps, in SQL.

    `column` filters compare it with `=` (or `= ANY` for several values); `where` builds any
    other condition from the bound value. `bind` turns the checked values into the bound one
    (codes into ids, a year into a date). `counted` is the same condition on a summary table,
    when `recommendation_counts` can answer it; `faceted` when `recommendation_facet_counts`
    can too.
    """

    name: str
    value_type: Any
    description: str
    many: bool = True
    column: SQLColumnExpression[Any] | None = None
    where: Condition | None = None
    bind_type: TypeEngine[Any] | None = None
    bind: Callable[[Any, Bodies], Any] | None = None
    normalise: Callable[[Any], Any] | None = None
    # How a value typed on the command line is tidied before it is checked.
    cli_form: Callable[[str], str] | None = None
    counted: Counted | None = None
    faceted: bool = False
    # A parameter that says how another filter matches (`search` of `q`): no SQL of its own.
    modifies: str | None = None
    # Its values are written into the SQL, not bound: a few values of very different shares
    # (a relevance, a mechanism's bodies), which the planner must see to choose a partial
    # index or estimate a share, and which make few distinct statements.
    constant: bool = False
    # Its bound value never changes the best plan (an equality that one index answers for
    # every value): a statement of such filters and constants may keep one plan.
    one_plan: bool = False

    @property
    def option(self) -> str:
        """The `suivi export` option."""
        return "--" + self.name.replace("_", "-")

    def condition(self, parameter: BindParameter[Any], *, several: bool) -> ColumnElement[bool]:
        """This filter's SQL on `recommendations`, its value bound to `parameter`."""
        if self.where is not None:
            return self.where(parameter)
        assert self.column is not None
        return self.column == (any_(parameter) if several else parameter)

    def constant_condition(self, values: tuple[Any, ...]) -> ColumnElement[bool]:
        """This filter's SQL with `values` written in as constants."""
        assert self.column is not None
        column = self.column
        if not values:
            return false()
        value_type = inspect(column).type
        written = [_sql_constant(value, value_type) for value in values]
        return column == written[0] if len(written) == 1 else column.in_(written)

    def parameter(self, *, several: bool) -> BindParameter[Any]:
        """The bind parameter of this filter's value, typed as the column compares it."""
        value_type = self.bind_type
        if value_type is None:
            # Untyped: PostgreSQL takes the type of the column it is compared with.
            return bindparam(f"f_{self.name}")
        if several and not isinstance(value_type, ARRAY):
            value_type = ARRAY(value_type)
        return bindparam(f"f_{self.name}", type_=value_type)


def _sql_constant(value: Any, value_type: TypeEngine[Any]) -> ColumnElement[Any]:
    """`value` as SQL text, quoted and checked by its column's type (an enum refuses others)."""
    rendered = literal(value, value_type).compile(
        dialect=_DIALECT, compile_kwargs={"literal_binds": True}
    )
    return literal_column(str(rendered), value_type)


def _relevances(value: HrdFilter, _bodies: Bodies) -> list[str]:
    if value is HrdFilter.ANY:
        return [HrdRelevance.DIRECT.value, HrdRelevance.RELATED.value]
    return [HrdRelevance(value.value).value]


def _overlaps(column: SQLColumnExpression[Any]) -> Condition:
    return lambda parameter: column.op("&&")(parameter)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _upper(value: str) -> str:
    return value.strip().upper()


def _search_text(value: str) -> str | None:
    return value.strip() or None


def _same(name: str) -> Counted:
    """The summary's column `name` equal to the bound value, or among the bound values."""

    def condition(table: Any, bound: Any) -> ColumnElement[bool]:
        column: ColumnElement[Any] = getattr(table, name)
        return column.in_(bound) if isinstance(bound, list) else column == bound

    return condition


R = Recommendation

FILTERS: tuple[RecommendationFilter, ...] = (
    RecommendationFilter(
        "state",
        StateCode,
        "State under review (ISO 3166-1 alpha-3).",
        column=R.state_code,
        cli_form=_upper,
        counted=_same("state_code"),
        faceted=True,
        one_plan=True,
    ),
    RecommendationFilter(
        "mechanism",
        MechanismCode,
        "UN mechanism.",
        column=R.body_id,
        bind=lambda codes, bodies: bodies.of_mechanisms(codes),
        counted=_same("body_id"),
        faceted=True,
        constant=True,
    ),
    RecommendationFilter(
        "body",
        Label,
        "Body code, e.g. `CCPR`, `UPR`, `SR-HRD`.",
        column=R.body_id,
        bind=lambda codes, bodies: bodies.of_codes(codes),
        counted=_same("body_id"),
        faceted=True,
        constant=True,
    ),
    RecommendationFilter(
        "cycle", Cycle, "UPR cycle.", column=R.cycle, counted=_same("cycle"), one_plan=True
    ),
    RecommendationFilter(
        "session",
        SessionNumber,
        "UPR session or treaty-body session number.",
        column=R.session,
        counted=_same("session"),
        one_plan=True,
    ),
    RecommendationFilter(
        "document",
        Label,
        "Document symbol, e.g. `A/HRC/52/10`.",
        # By the documents' ids: no join, so statistics and exports read it as lists do.
        where=lambda symbols: R.document_id.in_(
            select(Document.id).where(Document.symbol == any_(symbols))
        ),
        bind_type=ARRAY(Text()),
        one_plan=True,
    ),
    RecommendationFilter(
        "recommending_state",
        StateCode,
        "Recommending State (UPR), ISO 3166-1 alpha-3.",
        where=_overlaps(R.recommending_states),
        bind_type=ARRAY(CHAR(3)),
        cli_form=_upper,
    ),
    RecommendationFilter(
        "position",
        Position,
        "The State's current position.",
        column=R.position,
        counted=_same("position"),
        constant=True,
    ),
    RecommendationFilter(
        "action_category",
        ActionCategory,
        "UPR Info action category, 1 (minimal action) to 5 (specific action).",
        column=R.action_category,
        constant=True,
    ),
    RecommendationFilter(
        "theme",
        Label,
        "Theme, as `GET /v1/themes` lists them.",
        where=_overlaps(R.themes),
        bind_type=ARRAY(Text()),
    ),
    RecommendationFilter(
        "affected",
        Label,
        "Affected persons, as `GET /v1/affected-persons` lists them.",
        where=_overlaps(R.affected_persons),
        bind_type=ARRAY(Text()),
    ),
    RecommendationFilter(
        "sdg",
        SdgCode,
        "SDG target or goal as `GET /v1/sdgs` lists them, e.g. `16.10`.",
        where=_overlaps(R.sdgs),
        bind_type=ARRAY(String(16)),
    ),
    RecommendationFilter(
        "hrd",
        HrdFilter,
        "Relevance to human rights defenders; `any` is direct or related.",
        many=False,
        column=R.hrd_relevance,
        bind=_relevances,
        counted=_same("hrd_relevance"),
        constant=True,
    ),
    RecommendationFilter(
        "status",
        ImplementationStatus,
        "Derived implementation status.",
        column=R.status,
        counted=_same("status"),
        constant=True,
    ),
    RecommendationFilter(
        "source_format",
        SourceFormat,
        "Where the record came from; `sample` is the illustrative sample.",
        column=R.source_format,
        constant=True,
    ),
    RecommendationFilter(
        "year_from",
        Year,
        "Issued in or after.",
        many=False,
        where=lambda first_day: R.issued_date >= first_day,
        bind_type=R.issued_date.type,
        bind=lambda year, _bodies: date(year, 1, 1),
        # An undated recommendation (null year) falls outside any bound, as in the table.
        counted=lambda table, first_day: table.year >= first_day.year,
    ),
    RecommendationFilter(
        "year_to",
        Year,
        "Issued in or before.",
        many=False,
        where=lambda next_first_day: R.issued_date < next_first_day,
        bind_type=R.issued_date.type,
        bind=lambda year, _bodies: date(year + 1, 1, 1),
        counted=lambda table, next_first_day: table.year < next_first_day.year,
    ),
    RecommendationFilter(
        "updated_since",
        datetime,
        "Changed at or after this instant (ISO 8601; UTC when no offset).",
        many=False,
        where=lambda instant: R.updated_at >= instant,
        bind_type=R.updated_at.type,
        normalise=_utc,
    ),
    RecommendationFilter(
        "q",
        SearchText,
        "Full-text search (websearch syntax: quotes, OR, -term) in English, French, Spanish "
        "or Arabic.",
        many=False,
        where=search.matches,
        bind_type=Text(),
        normalise=_search_text,
        # The words are parsed in InitPlans (search._tsquery), which no plan sees, custom or
        # generic; the nearest texts' ids only feed index probes. Planning a search's statement
        # took 7 ms of its 35-40.
        one_plan=True,
    ),
    RecommendationFilter(
        "search",
        SearchMode,
        "How `q` matches: `hybrid` (default) ranks texts by their words and by their meaning "
        "together, so a French, Spanish or Arabic query finds English recommendations; "
        "`lexical` by words only; `semantic` by meaning only. Texts not yet embedded are "
        "found by their words.",
        many=False,
        modifies="q",
    ),
)
BY_NAME: Mapping[str, RecommendationFilter] = {f.name: f for f in FILTERS}


class RecommendationFilters:
    """The filters given, by parameter name: OR within one filter's values, AND across filters.

    Built from the API's parameters, the CLI's options or code, always through the declaration:
    empty lists and None are "not given", values are normalised once here.
    """

    __slots__ = ("_given", "_near")

    def __init__(self, **values: Any) -> None:
        given: dict[str, Any] = {}
        for name, value in values.items():
            declared = BY_NAME.get(name)
            if declared is None:
                raise TypeError(f"no recommendation filter is called {name!r}")
            if value is None:
                continue
            if declared.many:
                value = tuple(value)
                if not value:
                    continue
            if declared.normalise is not None:
                value = declared.normalise(value)
                if value is None:
                    continue
            given[name] = value
        year_from, year_to = given.get("year_from"), given.get("year_to")
        if year_from is not None and year_to is not None and year_from > year_to:
            raise InvalidFilter("year_to", "must not be before year_from")
        for declared in FILTERS:
            # A modifier alone says nothing: `search=semantic` without `q` is no filter.
            if declared.modifies is not None and declared.modifies not in given:
                given.pop(declared.name, None)
        self._given = given
        self._near: Neighbours | None = None

    def __repr__(self) -> str:
        return f"RecommendationFilters({self._given!r})"

    def __bool__(self) -> bool:
        return bool(self._given)

    def with_near(self, near: Neighbours) -> "RecommendationFilters":
        """These filters with the texts nearest in meaning to `q` (suivi/services/meaning.py)."""
        filters = RecommendationFilters(**self._given)
        filters._near = near
        return filters

    @property
    def search_mode(self) -> SearchMode:
        """How `q` matches (hybrid unless asked otherwise)."""
        mode: SearchMode = self._given.get("search", SearchMode.HYBRID)
        return mode

    def replace(self, **changes: Any) -> "RecommendationFilters":
        """These filters with `changes` (None removes a filter)."""
        return RecommendationFilters(**{**self._given, **changes})

    def get(self, name: str) -> Any:
        """The value of filter `name` (a tuple for repeatable ones), or None when not given."""
        return self._given.get(name)

    def given(self) -> Iterator[tuple[RecommendationFilter, Any]]:
        """The filters given, in declaration order, with their values."""
        for declared in FILTERS:
            if declared.name in self._given:
                yield declared, self._given[declared.name]

    @property
    def names(self) -> frozenset[str]:
        return frozenset(self._given)

    @property
    def query(self) -> str | None:
        """The full-text search, when given."""
        query: str | None = self._given.get("q")
        return query

    def bound(self, bodies: Bodies) -> tuple["Shape", dict[str, Any]]:
        """The shape of the SQL (which filters, one value or several, the constants it holds)
        and the bound values of every filter, constants included.

        The values are bound first: a mechanism may stand for one body or ten, and one value
        is compared with `=`, keeping the plans (and partial indexes) of an equality.
        """
        shape: list[Compared] = []
        values: dict[str, Any] = {}
        for declared, value in self.given():
            if declared.modifies is not None:
                continue
            if declared.name == "q" and self._near is not None:
                # The meaning half: ids most similar first, with their similarities.
                form = "q~" + self.search_mode.value
                lexical = self.search_mode is SearchMode.LEXICAL
                shape.append(Compared("q" if lexical else form, False))
                values["f_q"] = value
                values["f_q_near"] = self._near.ids
                values["f_q_similarity"] = self._near.similarities
                continue
            checked = list(value) if declared.many else value
            bound = declared.bind(checked, bodies) if declared.bind is not None else checked
            several = False
            if declared.column is not None and isinstance(bound, list):
                if len(bound) == 1:
                    bound = bound[0]
                else:
                    several = True
            constant = None
            if declared.constant:
                # In one order, once each: the same values make the same statement.
                constant = tuple(sorted(set(bound))) if several else (bound,)
            shape.append(Compared(declared.name, several, constant))
            values[f"f_{declared.name}"] = bound
        return tuple(shape), values


class Compared(NamedTuple):
    """One filter of a statement: compared with one value or several, and the values it
    holds as constants (None when they are bound)."""

    name: str
    several: bool
    constant: tuple[Any, ...] | None = None


# Which filters a statement compares, how, and the constants it holds: statements are built
# and compiled once per shape.
Shape = tuple[Compared, ...]


def conditions(shape: Shape) -> list[ColumnElement[bool]]:
    """The WHERE conditions on `recommendations` of a shape, values other than its constants
    left to bind."""
    return [_condition(compared) for compared in shape]


def _condition(compared: Compared) -> ColumnElement[bool]:
    if compared.name in SEARCH_FORMS:
        return SEARCH_FORMS[compared.name]()
    declared = BY_NAME[compared.name]
    if compared.constant is not None:
        return declared.constant_condition(compared.constant)
    several = compared.several
    return declared.condition(declared.parameter(several=several), several=several)


def one_plan(shape: Shape) -> bool:
    """Whether one plan serves every value a statement of `shape` binds, so that a prepared
    statement may keep it rather than plan each execution (a list page's plan costs about as
    much as running it)."""
    return all(
        compared.constant is not None or _declared(compared.name).one_plan for compared in shape
    )


def _declared(name: str) -> RecommendationFilter:
    # A search's forms (`q~hybrid`, `q~semantic`) are the `q` filter's.
    return BY_NAME[name.partition("~")[0]]


def _near_ids() -> BindParameter[Any]:
    return bindparam("f_q_near", type_=ARRAY(BigInteger()))


def _hybrid() -> ColumnElement[bool]:
    return or_(
        search.matches(bindparam("f_q", type_=Text())), Recommendation.id == any_(_near_ids())
    )


# `q` with its meaning half: a text matches by its words or by being among the nearest
# (`hybrid`), or by being among the nearest only (`semantic`).
SEARCH_FORMS: Mapping[str, Callable[[], ColumnElement[bool]]] = {
    "q~hybrid": _hybrid,
    "q~semantic": lambda: Recommendation.id == any_(_near_ids()),
}
