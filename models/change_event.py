"""The change feed's events: appended by database triggers (migration 0007), read by the feed."""

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Identity, Index, String, Text, func
from sqlalchemy.dialects.postgresql.base import ischema_names
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import UserDefinedType

from models.base import Base


class Xid8(UserDefinedType[int]):
    """PostgreSQL's 64-bit transaction id: never wraps around, but a restored dump's ids come
    round again on the server it is restored to."""

    cache_ok = True

    def get_col_spec(self, **kw: Any) -> str:
        return "XID8"


# Reflection (Alembic's schema check) then knows the type instead of warning about it.
ischema_names["xid8"] = Xid8


class ChangeEvent(Base):
    """Something published changed: which object, how, and in which transaction."""

    __tablename__ = "change_events"
    __table_args__ = (Index("ix_change_events_txid_id", "txid", "id"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    txid: Mapped[int] = mapped_column(Xid8(), server_default=func.pg_current_xact_id())
    occurred_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    kind: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(Text)


class FeedTransaction(Base):
    """A transaction that wrote change events, numbered in commit order as it commits.

    Known by its id and start time: a restored dump's ids are handed out again by the new
    server, and its events' `occurred_at` is the start time of their transaction.
    """

    __tablename__ = "feed_transactions"
    __table_args__ = (Index("ix_feed_transactions_seq", "seq", unique=True),)

    txid: Mapped[int] = mapped_column(
        Xid8(), primary_key=True, server_default=func.pg_current_xact_id()
    )
    started_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), primary_key=True, server_default=func.now()
    )
    seq: Mapped[int | None] = mapped_column(BigInteger)
