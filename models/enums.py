"""The closed vocabularies of the domain (see DOMAIN.md); values are the API's spelling."""

from enum import StrEnum


class MechanismCode(StrEnum):
    UPR = "upr"
    TREATY_BODY = "treaty_body"
    SPECIAL_PROCEDURE = "special_procedure"


class Position(StrEnum):
    """The State's answer to a UPR recommendation."""

    SUPPORTED = "supported"
    SUPPORTED_IN_PART = "supported_in_part"
    NOTED = "noted"
    PENDING = "pending"
    PLEDGE = "pledge"


class HrdRelevance(StrEnum):
    """Whether a recommendation concerns defenders directly, civic space, or neither."""

    DIRECT = "direct"
    RELATED = "related"
    NONE = "none"


class ImplementationStatus(StrEnum):
    NOT_ASSESSED = "not_assessed"
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    PARTIALLY_IMPLEMENTED = "partially_implemented"
    IMPLEMENTED = "implemented"
    NOT_IMPLEMENTED = "not_implemented"
    REGRESSED = "regressed"


class SourceFormat(StrEnum):
    """Where a recommendation came from, so a person can trace it back."""

    UPR_INFO = "upr_info"
    UHRI = "uhri"
    UN_TEXT = "un_text"
    SUIVI_JSON = "suivi_json"
    SAMPLE = "sample"
    MANUAL = "manual"


class ActionKind(StrEnum):
    LEGISLATION = "legislation"
    REGULATION = "regulation"
    POLICY = "policy"
    INSTITUTION = "institution"
    BUDGET = "budget"
    JUDICIAL_DECISION = "judicial_decision"
    INVESTIGATION = "investigation"
    TRAINING = "training"
    OTHER = "other"


class ActionStatus(StrEnum):
    PLANNED = "planned"
    ONGOING = "ongoing"
    COMPLETED = "completed"
    ABANDONED = "abandoned"


class SourceType(StrEnum):
    """Who a progress update speaks for."""

    GOVERNMENT = "government"
    NHRI = "nhri"
    CIVIL_SOCIETY = "civil_society"
    UN = "un"


class Confidentiality(StrEnum):
    PUBLIC = "public"
    CONFIDENTIAL_SUBMITTER = "confidential_submitter"
    RESTRICTED = "restricted"


class ReviewState(StrEnum):
    SUBMITTED = "submitted"
    PUBLISHED = "published"
    REJECTED = "rejected"
    RETRACTED = "retracted"


class Grade(StrEnum):
    """Treaty-body follow-up grades (Human Rights Committee scale)."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"
    E = "E"


class AssessorKind(StrEnum):
    COMMITTEE = "committee"
    OFFICE = "office"
    NHRI = "nhri"
    CIVIL_SOCIETY = "civil_society"


class IndicatorKind(StrEnum):
    """OHCHR's indicator framework."""

    STRUCTURAL = "structural"
    PROCESS = "process"
    OUTCOME = "outcome"


class ReportingFrequency(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    BIANNUAL = "biannual"
    ANNUAL = "annual"
    PER_CYCLE = "per_cycle"


class OrganisationKind(StrEnum):
    OFFICE = "office"
    STATE = "state"
    NHRI = "nhri"
    CIVIL_SOCIETY = "civil_society"
    UN = "un"


class Role(StrEnum):
    ADMIN = "admin"
    STAFF = "staff"
    FOCAL_POINT = "focal_point"
    SUBMITTER = "submitter"


class ImportStatus(StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    DRY_RUN = "dry_run"
