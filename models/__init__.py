"""Every Suivi table, importable from one place (Alembic reads `Base.metadata` from here)."""

from models.action import ActionRecommendation, StateAction
from models.audit import AuditEvent
from models.base import Base
from models.change_event import ChangeEvent, FeedTransaction
from models.cluster import ClusterMember, RecommendationCluster
from models.document import Document
from models.embedding import EmbeddingQueueEntry, RecommendationEmbedding
from models.facet_count import RecommendationFacetCount
from models.grade import FollowUpGrade
from models.import_run import ImportRun
from models.indicator import Indicator, IndicatorObservation, IndicatorRecommendation
from models.institution import Institution
from models.mechanism import Body, Mechanism
from models.organisation import ApiClient, Organisation
from models.recommendation import (
    PositionRecord,
    Recommendation,
    RecommendationRevision,
    RecommendationText,
)
from models.recommendation_count import RecommendationCount
from models.update import ProgressUpdate

__all__ = [
    "ActionRecommendation",
    "ApiClient",
    "AuditEvent",
    "Base",
    "Body",
    "ChangeEvent",
    "ClusterMember",
    "Document",
    "EmbeddingQueueEntry",
    "FeedTransaction",
    "FollowUpGrade",
    "ImportRun",
    "Indicator",
    "IndicatorObservation",
    "IndicatorRecommendation",
    "Institution",
    "Mechanism",
    "Organisation",
    "PositionRecord",
    "ProgressUpdate",
    "Recommendation",
    "RecommendationCluster",
    "RecommendationCount",
    "RecommendationEmbedding",
    "RecommendationFacetCount",
    "RecommendationRevision",
    "RecommendationText",
    "StateAction",
]
