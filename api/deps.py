"""Annotated dependencies shared by the routes: settings, the database session, the caller."""

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models.enums import Role
from suivi.errors import Forbidden, Unauthenticated
from suivi.reads import ReadPool, Reads
from suivi.services import keys
from suivi.services.keys import PUBLIC, Caller
from suivi.settings import Settings, get_settings

SettingsDep = Annotated[Settings, Depends(get_settings)]


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request: committed when the handler succeeds, rolled back otherwise."""
    sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    session = sessionmaker()
    try:
        yield session
        # A session nothing used never began: no connection, nothing to commit or close
        # (about 250 us saved on every request that only authenticates the public).
        if session.in_transaction():
            await session.commit()
    except BaseException:
        # Rolls back what was begun and gives the connection back.
        await session.close()
        raise


# scope="function": commit before the response is sent, so a failed commit is an error response.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]


async def get_reads(request: Request, session: SessionDep) -> Reads:
    """The read pool: read-only autocommit connections, one per statement, no BEGIN.

    An app run without its lifespan (mounted in another, or given a sessionmaker by hand)
    reads through the request's session instead, which nothing else costs when unused.
    """
    pool: ReadPool | None = getattr(request.app.state, "reads", None)
    return pool if pool is not None else Reads.of_session(session)


ReadsDep = Annotated[Reads, Depends(get_reads)]


async def get_caller(request: Request, session: SessionDep) -> Caller:
    """The caller of `Authorization: Bearer <key>`, or the public when no key is sent."""
    authorization = request.headers.get("authorization")
    if authorization is None:
        return PUBLIC
    scheme, _, key = authorization.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise Unauthenticated("Send the API key as `Authorization: Bearer <key>`.")
    return await keys.authenticate(session, key=key.strip())


CallerDep = Annotated[Caller, Depends(get_caller)]

# For the API's routers: operations that never read the caller authenticate a key they are
# sent too, so a revoked or expired key is a 401 everywhere, never served as the public.
AUTHENTICATES_SENT_KEY = Depends(get_caller)


def require_role(*roles: Role) -> Callable[[Caller], Awaitable[Caller]]:
    """A dependency that lets through only callers with one of `roles`."""

    async def check(caller: CallerDep) -> Caller:
        if caller.role is None:
            raise Unauthenticated("This operation needs an API key.")
        if caller.role not in roles:
            raise Forbidden(f"A {caller.role} key may not do this.")
        return caller

    return check


# Imports, publishing and rejecting: office staff and administrators.
StaffDep = Annotated[Caller, Depends(require_role(Role.STAFF, Role.ADMIN))]

# Keys, the audit trail and organisations' creation: administrators only.
AdminDep = Annotated[Caller, Depends(require_role(Role.ADMIN))]
