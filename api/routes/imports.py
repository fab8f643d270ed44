"""Imports over HTTP: upload a source file, list and read the recorded runs."""

from typing import Annotated

from fastapi import APIRouter, File, Form, Path, Query, Response, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from api.deps import SessionDep, SettingsDep, StaffDep
from api.pagination import decode_cursor, encode_cursor
from api.params import CURSOR_DESCRIPTION, MAX_ID, MAX_LIMIT
from api.problems import TYPE_PREFIX, problem_response
from api.schemas.imports import ImportReportRead, ImportRunPage, ImportRunRead
from api.schemas.problems import problem_responses
from suivi.countries import configured_resolver, parse_alias
from suivi.services import imports as service
from suivi.services.import_flow import DocumentOptions, ImportFormat, run_import
from suivi.services.import_report import ImportReport

router = APIRouter(prefix="/v1/imports", tags=["imports"])


def _report(report: ImportReport) -> ImportReportRead:
    assert report.import_run_id is not None
    return ImportReportRead.model_validate(
        {
            "import_run_id": report.import_run_id,
            "status": report.status,
            "committed": report.committed,
            **report.as_dict(),
        }
    )


@router.post(
    "",
    operation_id="createImport",
    summary="Import recommendations from an uploaded file",
    status_code=201,
    response_model=ImportReportRead,
    responses={
        **problem_responses(400, 401, 403),
        422: {
            "description": "Invalid records: nothing was committed; the report lists each one",
            "content": {"application/problem+json": {}},
        },
    },
)
async def create_import(
    response: Response,
    session: SessionDep,
    caller: StaffDep,
    settings: SettingsDep,
    file: Annotated[
        UploadFile, File(description="UPR Info CSV, UHRI JSON, report text or Suivi JSON.")
    ],
    format_: Annotated[
        ImportFormat, Form(alias="format", description="The file's format; auto detects it.")
    ] = ImportFormat.AUTO,
    dry_run: Annotated[bool, Form(description="Validate and count, commit nothing.")] = False,
    skip_invalid: Annotated[
        bool, Form(description="Commit the valid records; report the rejected ones.")
    ] = False,
    symbol: Annotated[str | None, Form(description="un-text: the document symbol.")] = None,
    state: Annotated[
        str | None, Form(description="un-text: State under review (ISO alpha-3 or a name).")
    ] = None,
    session_number: Annotated[
        int | None, Form(alias="session", ge=1, description="un-text: the UPR session.")
    ] = None,
    language: Annotated[str, Form(description="un-text: the language of the text.")] = "en",
    state_alias: Annotated[
        list[str] | None,
        Form(
            description='Another name for a State, as "NAME=ISO3" (repeat the field for more); '
            "adds to the server's aliases file."
        ),
    ] = None,
) -> ImportReportRead | JSONResponse:
    """The report of the run: what was created, updated, unchanged, duplicated or rejected."""
    # Outside the try: a broken aliases file is the server's fault (a logged 500), not the form's.
    office = configured_resolver(settings)
    try:
        aliases = dict(parse_alias(alias) for alias in state_alias or [])
        states = office.with_aliases(aliases)
    except ValueError as exc:
        error = {"loc": ("body", "state_alias"), "msg": str(exc), "type": "value_error"}
        raise RequestValidationError([error]) from exc
    report = await run_import(
        session,
        stream=file.file,
        name=file.filename or "upload",
        fmt=format_,
        options=DocumentOptions(
            symbol=symbol, state=state, session=session_number, language=language
        ),
        actor=caller.prefix or "api",
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        caller=caller,
        states=states,
    )
    body = _report(report)
    if report.errors and not skip_invalid:
        # Returned, not raised: the failed run stays recorded while its records are not.
        # The run's own status is `import_status`: `status` is the HTTP status in a problem.
        extensions = body.model_dump(mode="json")
        extensions["import_status"] = extensions.pop("status")
        return problem_response(
            422,
            type_=TYPE_PREFIX + "invalid-records",
            title="Invalid records",
            detail=f"{report.rejected} record(s) are invalid; nothing was committed.",
            **extensions,
        )
    response.headers["Location"] = f"/v1/imports/{report.import_run_id}"
    return body


@router.get(
    "",
    operation_id="listImports",
    summary="List recorded import runs, newest first",
    responses=problem_responses(401, 403, 422),
)
async def list_imports(
    session: SessionDep,
    _caller: StaffDep,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Runs per page.")] = 50,
    cursor: Annotated[str | None, Query(description=CURSOR_DESCRIPTION, max_length=200)] = None,
) -> ImportRunPage:
    """Who imported what, when, and with which outcome."""
    before_id = decode_cursor(cursor, types=(int,))[0] if cursor else None
    runs, next_before = await service.list_runs(session, limit=limit, before_id=before_id)
    return ImportRunPage(
        items=[ImportRunRead.model_validate(run) for run in runs],
        next_cursor=encode_cursor([next_before]) if next_before is not None else None,
    )


@router.get(
    "/{import_id}",
    operation_id="getImport",
    summary="One recorded import run",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_import(
    session: SessionDep,
    _caller: StaffDep,
    import_id: Annotated[int, Path(ge=1, le=MAX_ID, description="The run's id.")],
) -> ImportRunRead:
    """The run with its counts and its first 1,000 errors."""
    return ImportRunRead.model_validate(await service.get_run(session, run_id=import_id))
