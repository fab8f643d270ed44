"""What the API says about clusters of recommendations that say the same thing."""

from datetime import date

from pydantic import Field

from api.schemas.base import Schema
from models.enums import ImplementationStatus, MechanismCode


class ClusterRead(Schema):
    """Recommendations to one State whose texts say the same thing, across cycles and mechanisms."""

    id: int
    state: str = Field(description="The State, ISO 3166-1 alpha-3.")
    representative_id: int = Field(description="The recommendation that started the cluster.")
    representative_text: str = Field(description="Its text, in its original language.")
    member_count: int
    first_date: date | None = Field(description="The earliest member's date of issue.")
    last_date: date | None = Field(description="The latest member's date of issue.")
    mechanisms: list[MechanismCode] = Field(description="The mechanisms of its members.")
    cycles: list[int] = Field(description="The UPR cycles of its members.")


class ClusterMemberRead(Schema):
    """One recommendation of a cluster."""

    id: int = Field(description="The recommendation's id.")
    text: str
    issued_date: date | None
    cycle: int | None
    session: int | None
    mechanism: MechanismCode
    body: str = Field(description="The body's code, e.g. `UPR` or `CCPR`.")
    status: ImplementationStatus
    similarity: float = Field(
        description="Cosine similarity to the member it joined through; 1 for the first."
    )


class ClusterDetailRead(ClusterRead):
    """A cluster and its members, oldest first."""

    members: list[ClusterMemberRead]


class ClusterPage(Schema):
    """One page of clusters, in id order."""

    items: list[ClusterRead]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )
