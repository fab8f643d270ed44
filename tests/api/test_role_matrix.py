"""Every operation of the OpenAPI document, called as every role, answers the status the table says.

The table is the access-control policy in one place. Each cell runs in its own rolled-back
transaction against a fresh world (tests/world.py), so a write in one cell never changes another.
An operation added to the API without a row here fails `test_every_operation_has_a_row`.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.world import ROLES, World, build_world

Expect = dict[str, int]
Body = Callable[[World], Any] | None


def expect(
    public: int,
    submitter_a: int,
    submitter_b: int,
    focal_point: int,
    staff: int,
    admin: int,
) -> Expect:
    return {
        "public": public,
        "submitter_a": submitter_a,
        "submitter_b": submitter_b,
        "focal_point": focal_point,
        "staff": staff,
        "admin": admin,
    }


def everyone(status: int) -> Expect:
    return expect(status, status, status, status, status, status)


def staff_only(status: int) -> Expect:
    return expect(401, 403, 403, 403, status, status)


def admin_only(status: int) -> Expect:
    return expect(401, 403, 403, 403, 403, status)


@dataclass(frozen=True)
class Case:
    """One call: `path` is formatted with the world's ids (`{recommendation}`, `{action_a}`...)."""

    operation_id: str
    method: str
    path: str
    expected: Expect
    json: Body = None
    headers: Callable[[World], dict[str, str]] = field(default=lambda world: {})
    label: str = ""

    @property
    def name(self) -> str:
        return f"{self.operation_id}{'-' + self.label if self.label else ''}"


CASES: list[Case] = [
    Case("getHealth", "GET", "/health", everyone(200)),
    Case("getReady", "GET", "/ready", everyone(200)),
    Case("listRecommendations", "GET", "/v1/recommendations", everyone(200)),
    Case("getRecommendation", "GET", "/v1/recommendations/{recommendation}", everyone(200)),
    Case(
        "listSimilarRecommendations",
        "GET",
        "/v1/recommendations/{recommendation}/similar",
        everyone(200),
    ),
    Case("listClusters", "GET", "/v1/clusters?min_members=1", everyone(200)),
    Case("getCluster", "GET", "/v1/clusters/{cluster}", everyone(200)),
    Case("listStates", "GET", "/v1/states", everyone(200)),
    Case("getState", "GET", "/v1/states/TUN", everyone(200)),
    Case("listMechanisms", "GET", "/v1/mechanisms", everyone(200)),
    Case("listBodies", "GET", "/v1/bodies", everyone(200)),
    Case("listDocuments", "GET", "/v1/documents", everyone(200)),
    Case("listThemes", "GET", "/v1/themes", everyone(200)),
    Case("listAffectedPersons", "GET", "/v1/affected-persons", everyone(200)),
    Case("listSdgs", "GET", "/v1/sdgs", everyone(200)),
    Case("listImports", "GET", "/v1/imports", staff_only(200)),
    Case("getImport", "GET", "/v1/imports/999999", staff_only(404)),
    # An upload of nothing: staff get as far as the importer, which cannot tell its format.
    Case("createImport", "POST", "/v1/imports", staff_only(400), label="empty-file"),
    # Change feed, statistics, exports: public reads.
    Case("listChanges", "GET", "/v1/changes", everyone(200)),
    # The stream never ends, so the cell checks it is open to all with a bad cursor.
    Case("streamChanges", "GET", "/v1/changes/stream?since=bad", everyone(422)),
    Case("getStats", "GET", "/v1/stats?group_by=state,status", everyone(200)),
    Case("getStateScorecard", "GET", "/v1/states/TUN/scorecard", everyone(200)),
    Case("exportRecommendationsCsv", "GET", "/v1/exports/recommendations.csv", everyone(200)),
    Case("exportRecommendationsXlsx", "GET", "/v1/exports/recommendations.xlsx", everyone(200)),
    Case("exportRecommendationsJson", "GET", "/v1/exports/recommendations.json", everyone(200)),
    Case("exportStateMatrix", "GET", "/v1/states/TUN/matrix.xlsx", everyone(200)),
    # State actions: focal points act for their own institution only (action_a).
    Case("listActions", "GET", "/v1/actions", everyone(200)),
    Case("getAction", "GET", "/v1/actions/{action_b}", everyone(200)),
    Case(
        "createAction",
        "POST",
        "/v1/actions",
        expect(401, 403, 403, 201, 201, 201),
        json=lambda w: {
            "kind": "policy",
            "title": "Plan",
            "institution_id": w.ids["institution_a"],
        },
        label="own-institution",
    ),
    Case(
        "createAction",
        "POST",
        "/v1/actions",
        expect(401, 403, 403, 403, 201, 201),
        json=lambda w: {
            "kind": "policy",
            "title": "Plan",
            "institution_id": w.ids["institution_b"],
        },
        label="other-institution",
    ),
    Case(
        "updateAction",
        "PATCH",
        "/v1/actions/{action_a}",
        expect(401, 403, 403, 200, 200, 200),
        json=lambda w: {"status": "completed", "completed_date": "2025-01-31"},
        headers=lambda w: {"If-Match": f'"action-{w.ids["action_a"]}-v1"'},
        label="own-institution",
    ),
    Case(
        "updateAction",
        "PATCH",
        "/v1/actions/{action_b}",
        expect(401, 403, 403, 403, 200, 200),
        json=lambda w: {"title": "Renamed"},
        headers=lambda w: {"If-Match": f'"action-{w.ids["action_b"]}-v1"'},
        label="other-institution",
    ),
    Case(
        "linkAction",
        "PUT",
        "/v1/recommendations/{recommendation}/actions/{action_b}",
        expect(401, 403, 403, 403, 201, 201),
        json=lambda w: {"note": "Training answers the recommendation."},
    ),
    Case(
        "unlinkAction",
        "DELETE",
        "/v1/recommendations/{recommendation}/actions/{action_a}",
        expect(401, 403, 403, 204, 204, 204),
    ),
    Case("listInstitutions", "GET", "/v1/institutions", everyone(200)),
    Case("getInstitution", "GET", "/v1/institutions/{institution_a}", everyone(200)),
    Case(
        "createInstitution",
        "POST",
        "/v1/institutions",
        staff_only(201),
        json=lambda w: {"name": "Instance nationale de lutte contre la torture", "state": "TUN"},
    ),
    # Progress updates: who may submit which source, who sees what, who reviews.
    Case(
        "createRecommendationUpdate",
        "POST",
        "/v1/recommendations/{recommendation}/updates",
        # A State's focal point speaks for the government, not for civil society.
        expect(401, 201, 201, 422, 201, 201),
        json=lambda w: {
            "source_type": "civil_society",
            "assessed_status": "not_implemented",
            "narrative": "No change since the review.",
            "as_of_date": "2025-01-15",
            "confidentiality": "confidential_submitter",
        },
    ),
    Case(
        "createActionUpdate",
        "POST",
        "/v1/actions/{action_a}/updates",
        expect(401, 422, 422, 201, 201, 201),
        json=lambda w: {
            "source_type": "government",
            "assessed_status": "in_progress",
            "narrative": "The draft law is before parliament.",
            "as_of_date": "2025-01-15",
            "confidentiality": "public",
        },
    ),
    Case("listUpdates", "GET", "/v1/updates", expect(401, 200, 200, 200, 200, 200)),
    Case(
        "getUpdate",
        "GET",
        "/v1/updates/{update_a_submitted}",
        expect(404, 200, 404, 404, 200, 200),
        label="submitted-by-a",
    ),
    Case(
        "getUpdate",
        "GET",
        "/v1/updates/{update_b_restricted}",
        expect(404, 404, 200, 404, 200, 200),
        label="restricted-published-by-b",
    ),
    Case(
        "getUpdate",
        "GET",
        "/v1/updates/{update_b_published}",
        everyone(200),
        label="published-by-b",
    ),
    Case("publishUpdate", "POST", "/v1/updates/{update_a_submitted}/publish", staff_only(200)),
    Case(
        "rejectUpdate",
        "POST",
        "/v1/updates/{update_a_submitted}/reject",
        staff_only(200),
        json=lambda w: {"reason": "Please cite the court decision."},
    ),
    Case(
        "retractUpdate",
        "POST",
        "/v1/updates/{update_a_submitted}/retract",
        # Only the submitting organisation; others who can see it get 403, the rest 404.
        expect(401, 200, 404, 404, 403, 403),
    ),
    # Office assessment, grades, timeline, deadlines, indicators.
    Case("getAssessment", "GET", "/v1/recommendations/{recommendation}/assessment", everyone(200)),
    Case(
        "updateAssessment",
        "PATCH",
        "/v1/recommendations/{recommendation}/assessment",
        staff_only(200),
        json=lambda w: {"office_status": "partially_implemented"},
        headers=lambda w: {
            "If-Match": f'"assessment-{w.ids["recommendation"]}-v{w.ids["assessment_version"]}"'
        },
    ),
    Case("listGrades", "GET", "/v1/recommendations/{recommendation}/grades", everyone(200)),
    Case("getGrade", "GET", "/v1/recommendations/{recommendation}/grades/{grade}", everyone(200)),
    Case(
        "createGrade",
        "POST",
        "/v1/recommendations/{recommendation}/grades",
        staff_only(201),
        json=lambda w: {
            "grade": "C",
            "sub_grade": "C1",
            "assessor_kind": "committee",
            "assessor": "Human Rights Committee",
            "graded_date": "2025-07-01",
        },
    ),
    Case("getTimeline", "GET", "/v1/recommendations/{recommendation}/timeline", everyone(200)),
    Case("listDeadlines", "GET", "/v1/deadlines?state=TUN", everyone(200)),
    Case("listIndicators", "GET", "/v1/indicators", everyone(200)),
    Case("getIndicator", "GET", "/v1/indicators/{indicator}", everyone(200)),
    Case(
        "createIndicator",
        "POST",
        "/v1/indicators",
        staff_only(201),
        json=lambda w: {
            "kind": "outcome",
            "name": "Defenders prosecuted for their work",
            "state": "TUN",
            "recommendation_ids": [w.ids["recommendation"]],
        },
    ),
    Case(
        "createObservation",
        "POST",
        "/v1/indicators/{indicator}/observations",
        # A Tunisian institution's focal point reports on a Tunisian indicator.
        expect(401, 403, 403, 201, 201, 201),
        json=lambda w: {"observed_date": "2025-06-30", "value": 4, "source": "Ministry report"},
    ),
    # Administration: organisations are staff-readable, keys and the audit trail admin-only.
    Case("listOrganisations", "GET", "/v1/organisations", staff_only(200)),
    Case("getOrganisation", "GET", "/v1/organisations/{organisation_b}", staff_only(200)),
    Case(
        "createOrganisation",
        "POST",
        "/v1/organisations",
        admin_only(201),
        json=lambda w: {"name": "Réseau de défenseurs du Sud", "kind": "civil_society"},
    ),
    Case("listKeys", "GET", "/v1/keys", admin_only(200)),
    Case(
        "createKey",
        "POST",
        "/v1/keys",
        admin_only(201),
        json=lambda w: {"organisation_id": w.ids["organisation_a"], "role": "submitter"},
    ),
    Case("revokeKey", "POST", "/v1/keys/{prefix_b}/revoke", admin_only(200)),
    Case("listAuditEvents", "GET", "/v1/audit", admin_only(200)),
    Case("verifyAuditChain", "GET", "/v1/audit/verify", admin_only(200)),
]


async def _call(client: httpx.AsyncClient, world: World, case: Case, role: str) -> httpx.Response:
    url = case.path.format(**world.ids)
    headers = {**world.headers(role), **case.headers(world)}
    if case.operation_id == "createImport":
        files = {"file": ("empty.csv", b"", "text/csv")}
        return await client.request(case.method, url, headers=headers, files=files)
    body = case.json(world) if case.json is not None else None
    return await client.request(case.method, url, headers=headers, json=body)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
async def test_role_gets_the_expected_status(
    client: httpx.AsyncClient, session: AsyncSession, case: Case, role: str
) -> None:
    world = await build_world(session)

    response = await _call(client, world, case, role)

    assert response.status_code == case.expected[role], (role, case.name, response.text)
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith("application/problem+json")


async def test_every_operation_has_a_row(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    operations = {
        operation["operationId"]
        for item in spec["paths"].values()
        for method, operation in item.items()
        if method in {"get", "put", "post", "patch", "delete"}
    }
    covered = {case.operation_id for case in CASES}

    assert operations - covered == set(), "operations without a row in the role matrix"
    assert covered - operations == set(), "rows for operations the API does not have"


def test_every_row_names_every_role() -> None:
    for case in CASES:
        assert set(case.expected) == set(ROLES), case.name
