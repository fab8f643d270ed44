"""Recommendations, their translations and the history of the State's position."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    CHAR,
    Boolean,
    CheckConstraint,
    Computed,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    false,
    literal_column,
)
from sqlalchemy import text as sql
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement

from models.base import Base, CreatedMixin, IdMixin, TimestampMixin, enum_column
from models.document import Document
from models.enums import HrdRelevance, ImplementationStatus, Position, SourceFormat
from models.mechanism import Body

EMPTY_ARRAY = sql("'{}'")
# Text-search vector of a row's `text` in its `language`; the functions are in migration 0004.
SEARCH_VECTOR = "to_tsvector(suivi_search_config(language), suivi_fold(text))"
# The rows of each full-text index on recommendations: one per search configuration.
SEARCH_INDEX_LANGUAGES = {
    "en": "language = 'en'",
    "fr": "language = 'fr'",
    "es": "language = 'es'",
    "ar": "language = 'ar'",
    "other": "language NOT IN ('en', 'fr', 'es', 'ar')",
}
# Sort key of date order: undated recommendations first ascending, last descending.
SORT_DATE: ColumnElement[date] = literal_column("COALESCE(issued_date, '-infinity'::date)")


class Recommendation(IdMixin, TimestampMixin, Base):
    """One paragraph of one document of one mechanism, addressed to one State."""

    __tablename__ = "recommendations"
    __table_args__ = (
        CheckConstraint("action_category BETWEEN 1 AND 5", name="action_category_range"),
        Index("ix_recommendations_document_id_paragraph", "document_id", "paragraph"),
        Index("ix_recommendations_state_code_id", "state_code", "id"),
        Index("ix_recommendations_updated_at_id", "updated_at", "id"),
        Index("ix_recommendations_date_id", SORT_DATE, "id"),
        # One full-text index per search configuration (migration 0013): a search condition is
        # one `language = 'xx' AND search_vector @@ ...` arm per configuration.
        *(
            Index(
                f"ix_recommendations_search_vector_{name}",
                "search_vector",
                postgresql_using="gin",
                postgresql_where=sql(predicate),
            )
            for name, predicate in SEARCH_INDEX_LANGUAGES.items()
        ),
        Index("ix_recommendations_themes", "themes", postgresql_using="gin"),
        Index("ix_recommendations_affected_persons", "affected_persons", postgresql_using="gin"),
        Index("ix_recommendations_sdgs", "sdgs", postgresql_using="gin"),
        Index(
            "ix_recommendations_recommending_states", "recommending_states", postgresql_using="gin"
        ),
        # Partial: most rows hold the common value, which no query looks up by index.
        Index(
            "ix_recommendations_hrd_relevance",
            "hrd_relevance",
            postgresql_where=sql("hrd_relevance <> 'none'"),
        ),
        Index(
            "ix_recommendations_state_code_hrd_relevance_id",
            "state_code",
            "hrd_relevance",
            "id",
            postgresql_where=sql("hrd_relevance <> 'none'"),
        ),
        Index(
            "ix_recommendations_status", "status", postgresql_where=sql("status <> 'not_assessed'")
        ),
        Index("ix_recommendations_session", "session", postgresql_where=sql("session IS NOT NULL")),
        Index(
            "ix_recommendations_follow_up_deadline_date",
            "follow_up_deadline_date",
            postgresql_where=sql("follow_up_deadline_date IS NOT NULL"),
        ),
    )

    # Identity across imports: `doc:<symbol>#<paragraph>` where the source gives both, else the
    # source's own key (`uhri:<AnnotationId>`, `upr-info:<hash of state, session, text...>`).
    natural_key: Mapped[str] = mapped_column(Text, unique=True)
    state_code: Mapped[str] = mapped_column(CHAR(3))
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"), index=True)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    paragraph: Mapped[str | None] = mapped_column(String(32))
    # The text as the source gave it first, in `language`; translations live in
    # recommendation_texts.
    language: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    search_vector: Mapped[str] = mapped_column(
        TSVECTOR, Computed(SEARCH_VECTOR, persisted=True), deferred=True, deferred_raiseload=True
    )
    # UHRI keeps concerns and observations beside recommendations; follow-up concerns the latter.
    annotation_type: Mapped[str | None] = mapped_column(String(64))
    recommending_states: Mapped[list[str]] = mapped_column(
        ARRAY(CHAR(3)), server_default=EMPTY_ARRAY
    )
    position: Mapped[Position | None] = mapped_column(enum_column(Position, "position"))
    action_category: Mapped[int | None] = mapped_column(SmallInteger)
    session: Mapped[int | None] = mapped_column(SmallInteger)
    cycle: Mapped[int | None] = mapped_column(SmallInteger)
    issued_date: Mapped[date | None] = mapped_column(Date)
    themes: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=EMPTY_ARRAY)
    affected_persons: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=EMPTY_ARRAY)
    sdgs: Mapped[list[str]] = mapped_column(ARRAY(String(16)), server_default=EMPTY_ARRAY)
    hrd_relevance: Mapped[HrdRelevance] = mapped_column(
        enum_column(HrdRelevance, "hrd_relevance"),
        server_default=HrdRelevance.NONE.value,
    )
    # Why: [{"source": "tag" | "text", "match": "..."}], so a person can check the call.
    hrd_reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default=sql("'[]'"))
    follow_up_selected: Mapped[bool] = mapped_column(Boolean, server_default=false())
    follow_up_deadline_date: Mapped[date | None] = mapped_column(Date)
    # Set by office staff; when null the headline status comes from published updates.
    office_status: Mapped[ImplementationStatus | None] = mapped_column(
        enum_column(ImplementationStatus, "office_status")
    )
    office_note: Mapped[str | None] = mapped_column(Text)
    office_assessed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    office_assessed_by_client_id: Mapped[int | None] = mapped_column(ForeignKey("api_clients.id"))
    # Bumped on each office assessment and headline status change: the ETag that the
    # assessment's PATCH must name in If-Match.
    office_version: Mapped[int] = mapped_column(Integer, server_default=sql("1"))
    # Derived from office_status and published updates, stored so lists can filter on it.
    status: Mapped[ImplementationStatus] = mapped_column(
        enum_column(ImplementationStatus, "implementation_status"),
        server_default=ImplementationStatus.NOT_ASSESSED.value,
    )
    source_format: Mapped[SourceFormat] = mapped_column(enum_column(SourceFormat, "source_format"))
    source_record_id: Mapped[str | None] = mapped_column(Text)
    # sha256 of the normalised content: an unchanged re-import is detected without a diff.
    content_hash: Mapped[str] = mapped_column(CHAR(64))
    import_run_id: Mapped[int | None] = mapped_column(ForeignKey("import_runs.id"))

    body: Mapped[Body] = relationship(lazy="raise")
    document: Mapped[Document | None] = relationship(lazy="raise")
    translations: Mapped[list["RecommendationText"]] = relationship(
        lazy="raise", order_by="RecommendationText.language"
    )
    position_history: Mapped[list["PositionRecord"]] = relationship(
        lazy="raise", order_by="PositionRecord.id"
    )


class RecommendationText(Base):
    """The recommendation's text in a language other than its original one."""

    __tablename__ = "recommendation_texts"
    __table_args__ = (
        Index("ix_recommendation_texts_search_vector", "search_vector", postgresql_using="gin"),
    )

    recommendation_id: Mapped[int] = mapped_column(
        ForeignKey("recommendations.id", ondelete="CASCADE"), primary_key=True
    )
    language: Mapped[str] = mapped_column(String(8), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    search_vector: Mapped[str] = mapped_column(
        TSVECTOR, Computed(SEARCH_VECTOR, persisted=True), deferred=True, deferred_raiseload=True
    )


class PositionRecord(IdMixin, CreatedMixin, Base):
    """One position the State took on a recommendation; the latest is copied to the row."""

    __tablename__ = "position_history"

    recommendation_id: Mapped[int] = mapped_column(
        ForeignKey("recommendations.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[Position] = mapped_column(enum_column(Position, "position"))
    stated_date: Mapped[date | None] = mapped_column(Date)
    # Where the position is recorded, e.g. the addendum `A/HRC/19/7/Add.1`.
    source: Mapped[str | None] = mapped_column(Text)


class RecommendationRevision(IdMixin, CreatedMixin, Base):
    """The content a recommendation had before an import changed it: nothing is lost."""

    __tablename__ = "recommendation_revisions"

    recommendation_id: Mapped[int] = mapped_column(
        ForeignKey("recommendations.id", ondelete="CASCADE"), index=True
    )
    import_run_id: Mapped[int | None] = mapped_column(ForeignKey("import_runs.id"), index=True)
    content: Mapped[dict[str, Any]] = mapped_column(JSONB)
    content_hash: Mapped[str] = mapped_column(CHAR(64))
