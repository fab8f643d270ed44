"""Reference data with recommendation counts: what the filters of the list can take."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import SessionDep
from api.languages import LanguageDep
from api.pagination import decode_cursor, encode_cursor
from api.params import CURSOR_DESCRIPTION, STATE_PATTERN, Label, PageCursor, PageLimit, StateCode
from api.schemas.base import attributes_for
from api.schemas.problems import problem_responses
from api.schemas.reference import (
    BodyList,
    BodyRead,
    CycleCount,
    DocumentPage,
    DocumentRead,
    HrdRelevanceCount,
    MechanismCount,
    MechanismList,
    MechanismRead,
    PositionCount,
    StateDetailRead,
    StateList,
    StateRead,
    StatusCount,
    ValueCountRead,
    ValueList,
)
from models.enums import MechanismCode
from suivi.labels import Kind, Labeller
from suivi.services import reference as service
from suivi.services.reference import Facet

router = APIRouter(prefix="/v1", tags=["reference"])

# The kind of label of each facet's values; SDG targets have none and read as themselves.
_FACET_KINDS = {Facet.THEMES: Kind.THEME, Facet.AFFECTED_PERSONS: Kind.AFFECTED_PERSON}


class NoQuery(BaseModel):
    """For endpoints without parameters: an unknown parameter is a mistake worth reporting."""

    model_config = ConfigDict(extra="forbid")


class MechanismQuery(BaseModel):
    """Restrict the counts to some mechanisms; repeat the parameter for several (OR)."""

    model_config = ConfigDict(extra="forbid")

    mechanism: list[MechanismCode] = Field([], description="UN mechanism.")


class FacetQuery(BaseModel):
    """Restrict the counts; repeat a parameter for several values (OR)."""

    model_config = ConfigDict(extra="forbid")

    state: list[StateCode] = Field([], description="State under review (ISO 3166-1 alpha-3).")
    mechanism: list[MechanismCode] = Field([], description="UN mechanism.")


class DocumentQuery(BaseModel):
    """The document list's query parameters; repeat a parameter for several values (OR)."""

    model_config = ConfigDict(extra="forbid")

    state: list[StateCode] = Field([], description="State concerned (ISO 3166-1 alpha-3).")
    body: list[Label] = Field([], description="Body code, e.g. `CCPR`, `UPR`, `SR-HRD`.")
    mechanism: list[MechanismCode] = Field([], description="UN mechanism.")
    limit: PageLimit = 50
    cursor: PageCursor | None = Field(None, description=CURSOR_DESCRIPTION)


@router.get(
    "/states",
    operation_id="listStates",
    summary="States with recommendations, with counts",
    responses=problem_responses(422),
)
async def list_states(
    session: SessionDep, params: Annotated[MechanismQuery, Query()], language: LanguageDep
) -> StateList:
    """Every State under review that received at least one recommendation, in code order."""
    states = await service.list_states(session, mechanisms=params.mechanism)
    labeller = Labeller.of(language)
    return StateList(
        items=[
            StateRead.model_validate(
                {**attributes_for(StateRead, state), "label": labeller.state(state.code)}
            )
            for state in states
        ]
    )


@router.get(
    "/states/{code}",
    operation_id="getState",
    summary="One State's recommendations counted by facet",
    responses=problem_responses(404, 422),
)
async def get_state(
    session: SessionDep,
    code: Annotated[
        str, Path(pattern=STATE_PATTERN, description="ISO 3166-1 alpha-3, e.g. `TUN`.")
    ],
    params: Annotated[NoQuery, Query()],
    language: LanguageDep,
) -> StateDetailRead:
    """Counts in total and by mechanism, status, relevance to defenders, position and cycle.

    A country without recommendations counts zero; a code that is neither a country nor held
    by any recommendation is 404."""
    detail = await service.get_state(session, code=code)
    labeller = Labeller.of(language)
    label = labeller.label
    return StateDetailRead(
        code=detail.code,
        name=detail.name,
        label=labeller.state(detail.code),
        recommendations=detail.recommendations,
        hrd_direct=detail.hrd_direct,
        hrd_related=detail.hrd_related,
        by_mechanism=[
            MechanismCount(
                mechanism=key,
                mechanism_label=label(Kind.MECHANISM, key),
                recommendations=count,
            )
            for key, count in detail.by_mechanism.items()
        ],
        by_status=[
            StatusCount(status=key, status_label=label(Kind.STATUS, key), recommendations=count)
            for key, count in detail.by_status.items()
        ],
        by_hrd_relevance=[
            HrdRelevanceCount(
                hrd_relevance=key,
                hrd_relevance_label=label(Kind.HRD_RELEVANCE, key),
                recommendations=count,
            )
            for key, count in detail.by_hrd_relevance.items()
        ],
        by_position=[
            PositionCount(
                position=key, position_label=label(Kind.POSITION, key), recommendations=count
            )
            for key, count in detail.by_position.items()
        ],
        by_cycle=[
            CycleCount(cycle=key, recommendations=count) for key, count in detail.by_cycle.items()
        ],
    )


@router.get(
    "/mechanisms",
    operation_id="listMechanisms",
    summary="The three UN mechanisms, with counts",
    responses=problem_responses(422),
)
async def list_mechanisms(
    session: SessionDep, params: Annotated[NoQuery, Query()], language: LanguageDep
) -> MechanismList:
    """The UPR, the treaty bodies and the special procedures, in code order."""
    mechanisms = await service.list_mechanisms(session)
    label = Labeller.of(language).label
    return MechanismList(
        items=[
            MechanismRead.model_validate(
                {**attributes_for(MechanismRead, m), "label": label(Kind.MECHANISM, m.code)}
            )
            for m in mechanisms
        ]
    )


@router.get(
    "/bodies",
    operation_id="listBodies",
    summary="Bodies that issue recommendations, with counts",
    responses=problem_responses(422),
)
async def list_bodies(
    session: SessionDep, params: Annotated[MechanismQuery, Query()], language: LanguageDep
) -> BodyList:
    """Every known body in code order, including those with no recommendation yet."""
    bodies = await service.list_bodies(session, mechanisms=params.mechanism)
    label = Labeller.of(language).label
    return BodyList(
        items=[
            BodyRead.model_validate(
                {
                    **attributes_for(BodyRead, body),
                    "label": label(Kind.BODY, body.code),
                    "mechanism_label": label(Kind.MECHANISM, body.mechanism),
                }
            )
            for body in bodies
        ]
    )


@router.get(
    "/documents",
    operation_id="listDocuments",
    summary="UN documents, with their recommendations counted",
    responses=problem_responses(422),
)
async def list_documents(
    request: Request,
    response: Response,
    session: SessionDep,
    params: Annotated[DocumentQuery, Query()],
    language: LanguageDep,
) -> DocumentPage:
    """In symbol order, keyset-paginated: follow `next_cursor` (or the `Link` header), which
    keeps the filters."""
    after = decode_cursor(params.cursor, types=(str,))[0] if params.cursor else None
    items, next_symbol = await service.list_documents(
        session,
        limit=params.limit,
        filters=service.DocumentFilters(
            states=params.state, bodies=params.body, mechanisms=params.mechanism
        ),
        after_symbol=after,
    )
    next_cursor = encode_cursor([next_symbol]) if next_symbol is not None else None
    if next_cursor is not None:
        next_url = request.url.include_query_params(cursor=next_cursor)
        response.headers["Link"] = f'<{next_url}>; rel="next"'
    labeller = Labeller.of(language)
    label = labeller.label
    return DocumentPage(
        items=[
            DocumentRead.model_validate(
                {
                    **attributes_for(DocumentRead, item),
                    "body_label": label(Kind.BODY, item.body),
                    "mechanism_label": label(Kind.MECHANISM, item.mechanism),
                    "state_label": labeller.state(item.state),
                }
            )
            for item in items
        ],
        next_cursor=next_cursor,
    )


async def _values(
    session: AsyncSession, facet: Facet, params: FacetQuery, language: str
) -> ValueList:
    values = await service.list_values(
        session, facet=facet, states=params.state, mechanisms=params.mechanism
    )
    kind = _FACET_KINDS.get(facet)
    label = Labeller.of(language).label
    return ValueList(
        items=[
            ValueCountRead(
                value=value.value,
                label=value.value if kind is None else label(kind, value.value),
                recommendations=value.recommendations,
            )
            for value in values
        ]
    )


@router.get(
    "/themes",
    operation_id="listThemes",
    summary="Themes, with counts",
    responses=problem_responses(422),
)
async def list_themes(
    session: SessionDep, params: Annotated[FacetQuery, Query()], language: LanguageDep
) -> ValueList:
    """Each theme recommendations carry, most common first; the values `theme` filters take."""
    return await _values(session, Facet.THEMES, params, language)


@router.get(
    "/affected-persons",
    operation_id="listAffectedPersons",
    summary="Affected persons, with counts",
    responses=problem_responses(422),
)
async def list_affected_persons(
    session: SessionDep, params: Annotated[FacetQuery, Query()], language: LanguageDep
) -> ValueList:
    """Each group of affected persons, most common first; the values `affected` filters take."""
    return await _values(session, Facet.AFFECTED_PERSONS, params, language)


@router.get(
    "/sdgs",
    operation_id="listSdgs",
    summary="Sustainable Development Goals and targets, with counts",
    responses=problem_responses(422),
)
async def list_sdgs(
    session: SessionDep, params: Annotated[FacetQuery, Query()], language: LanguageDep
) -> ValueList:
    """Each SDG goal or target, most common first; the values `sdg` filters take."""
    return await _values(session, Facet.SDGS, params, language)
