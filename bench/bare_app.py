"""The pages bench/query_api.py measures, served as leanly as a correct app can serve them.

A yardstick for Suivi's read path: an asyncpg pool, hand-written SQL and orjson bytes, no ORM,
no session, no middleware. The list items are Suivi's, field for field (the benchmark checks
this before measuring). Only what the benchmark asks is served:
- `GET /v1/recommendations?state=&mechanism=&hrd=&limit=&cursor=`: one State, one mechanism, in
  id order; `next_cursor` as Suivi writes it, no `Link` header;
- `GET /v1/recommendations/{id}`: the list fields, `annotation_type`, `texts`, the position
  history, the follow-up flags and the provenance; it omits the follow-up record (`actions`,
  `progress_updates`, `grades`, `deadlines`, `status_by_source`), so it does less than Suivi;
- `GET /v1/stats?group_by=state&mechanism=`: counts read from `recommendation_counts`.

Run: SUIVI_DATABASE_URL=... python -m uvicorn bench.bare_app:app --port 8001
"""

import base64
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any, Literal

import asyncpg
import orjson
from fastapi import FastAPI, HTTPException, Path, Query, Request, Response

from api.schemas.recommendations import item_labeller
from suivi.labels import Labeller

# The English labels of the items' codes, added as Suivi adds them (by dictionary reads): part
# of the page, so the yardstick pays for them too.
_ENGLISH = Labeller.of("en")
_LABELLED = item_labeller(_ENGLISH)

# Suivi's pool size (SUIVI_DB_POOL_SIZE's default).
POOL_SIZE = 20
MAX_LIMIT = 500

_ITEM = """
    r.id, r.state_code AS state, b.mechanism_code AS mechanism, b.code AS body,
    d.symbol AS document_symbol, r.paragraph, r.text, r.language, r.recommending_states,
    r.position, r.action_category, r.session, r.cycle, r.issued_date AS date, r.themes,
    r.affected_persons, r.sdgs, r.hrd_relevance, r.hrd_reasons, r.status, r.updated_at,
    r.source_format, c.cluster_id
"""
_FROM = """
    FROM recommendations AS r
    JOIN bodies AS b ON b.id = r.body_id
    LEFT JOIN documents AS d ON d.id = r.document_id
    LEFT JOIN cluster_members AS c ON c.recommendation_id = r.id
"""
# The relevance is written into the SQL, not bound: only a constant lets a prepared statement's
# plan use the partial index on (state_code, hrd_relevance, id).
_HRD = {
    "direct": "AND r.hrd_relevance = 'direct'",
    "related": "AND r.hrd_relevance = 'related'",
    "any": "AND r.hrd_relevance IN ('direct', 'related')",
    None: "",
}
LIST_SQL = {
    hrd: f"""
    SELECT {_ITEM} {_FROM}
    WHERE r.state_code = $1 AND r.body_id = ANY($2::int[]) {condition} AND r.id > $3
    ORDER BY r.id LIMIT $4
    """
    for hrd, condition in _HRD.items()
}
DETAIL_SQL = f"""
    SELECT {_ITEM}, r.annotation_type,
        (SELECT json_agg(json_build_array(t.language, t.text) ORDER BY t.language)
         FROM recommendation_texts AS t WHERE t.recommendation_id = r.id) AS translations,
        (SELECT json_agg(json_build_object(
             'position', p.position, 'stated_date', p.stated_date, 'source', p.source
         ) ORDER BY p.id)
         FROM position_history AS p WHERE p.recommendation_id = r.id) AS position_history,
        r.follow_up_selected, r.follow_up_deadline_date AS follow_up_deadline, r.office_status,
        r.source_record_id, r.import_run_id
    {_FROM}
    WHERE r.id = $1
"""
# The columns DETAIL_SQL adds to the list fields.
_DETAIL_OWN = (
    "annotation_type",
    "translations",
    "position_history",
    "follow_up_selected",
    "follow_up_deadline",
    "office_status",
    "source_record_id",
    "import_run_id",
)
# Suivi orders groups by count, then value: State codes are ASCII, "C" orders them as Python.
STATS_SQL = """
    SELECT state_code AS state, sum(count) AS count
    FROM recommendation_counts WHERE body_id = ANY($1::int[])
    GROUP BY state_code HAVING sum(count) > 0
    ORDER BY 2 DESC, state_code COLLATE "C"
"""


async def _init(connection: Any) -> None:
    for name in ("json", "jsonb"):
        await connection.set_type_codec(
            name,
            schema="pg_catalog",
            encoder=lambda v: orjson.dumps(v).decode(),
            decoder=orjson.loads,
        )


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    url = os.environ["SUIVI_DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://", 1)
    pool = await asyncpg.create_pool(
        url,
        min_size=1,
        max_size=POOL_SIZE,
        init=_init,
        server_settings={"application_name": "suivi-bench-bare", "jit": "off"},
    )
    # Bodies are reference data: read once, they make the mechanism filter a list of constants,
    # as Suivi makes it with a query per request; a body added later needs a restart here.
    bodies: dict[str, list[int]] = {}
    for row in await pool.fetch("SELECT id, mechanism_code FROM bodies ORDER BY id"):
        bodies.setdefault(row["mechanism_code"], []).append(row["id"])
    app.state.pool, app.state.bodies = pool, bodies
    try:
        yield
    finally:
        await pool.close()


app = FastAPI(lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)


def _json(content: Any) -> Response:
    return Response(orjson.dumps(content, option=orjson.OPT_UTC_Z), media_type="application/json")


def _cursor(last_id: int) -> str:
    # Suivi's cursor of the id order: ["id", last id] as compact JSON, base64url, unpadded.
    raw = orjson.dumps(["id", last_id])
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _after(cursor: str | None) -> int:
    if cursor is None:
        return 0
    try:
        name, last_id = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except ValueError as exc:
        raise HTTPException(422, "not a cursor") from exc
    if name != "id" or not isinstance(last_id, int):
        raise HTTPException(422, "not a cursor of the id order")
    return last_id


@app.get("/ready")
async def ready(request: Request) -> Response:
    await request.app.state.pool.fetchval("SELECT 1")
    return _json({"status": "ready"})


@app.get("/v1/recommendations")
async def list_page(
    request: Request,
    state: str,
    mechanism: str,
    hrd: Literal["direct", "related", "any"] | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
    cursor: str | None = None,
) -> Response:
    body_ids = request.app.state.bodies.get(mechanism, [])
    rows = await request.app.state.pool.fetch(
        LIST_SQL[hrd], state, body_ids, _after(cursor), limit + 1
    )
    items = [_LABELLED(dict(row)) for row in rows[:limit]]
    next_cursor = _cursor(items[-1]["id"]) if len(rows) > limit else None
    return _json({"items": items, "next_cursor": next_cursor})


@app.get("/v1/recommendations/{recommendation_id}")
async def detail(
    request: Request, recommendation_id: Annotated[int, Path(ge=1, le=2**63 - 1)]
) -> Response:
    row = await request.app.state.pool.fetchrow(DETAIL_SQL, recommendation_id)
    if row is None:
        raise HTTPException(404, f"No recommendation has id {recommendation_id}.")
    item = dict(row)
    own = {key: item.pop(key) for key in _DETAIL_OWN}
    # Suivi's field order: the list fields, then the detail's own.
    item |= {
        "annotation_type": own["annotation_type"],
        "texts": {item["language"]: item["text"], **dict(own["translations"] or [])},
        "position_history": own["position_history"] or [],
        "follow_up_selected": own["follow_up_selected"],
        "follow_up_deadline": own["follow_up_deadline"],
        "office_status": own["office_status"],
        "provenance": {
            "source_format": item["source_format"],
            "source_record_id": own["source_record_id"],
            "import_run_id": own["import_run_id"],
        },
    }
    return _json(item)


@app.get("/v1/stats")
async def stats(request: Request, group_by: Literal["state"], mechanism: str) -> Response:
    body_ids = request.app.state.bodies.get(mechanism, [])
    names = _ENGLISH.state_table
    groups = [
        {"state": row[0], "state_label": names.get(row[0], row[0]), "count": row[1]}
        for row in await request.app.state.pool.fetch(STATS_SQL, body_ids)
    ]
    return _json({"total": sum(group["count"] for group in groups), "groups": groups})
