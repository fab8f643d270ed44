"""Suivi's own pages: the public dashboard, State scorecards, search, and forms to contribute.

They show what the public API shows and nothing more; the forms call the JSON API from the
browser, so the same rules, limits and audit apply.
"""

from fastapi import APIRouter, FastAPI
from starlette.staticfiles import StaticFiles

from api.pages import contribute, docs, messages, overview, recommendations, states
from api.pages.rendering import STATIC
from api.pages.security import PageSecurityMiddleware

__all__ = ["install_pages", "messages"]

router = APIRouter(include_in_schema=False)
for module in (overview, states, recommendations, contribute, docs):
    router.include_router(module.router)


def install_pages(app: FastAPI) -> None:
    """Serve the pages, their static files and the offline API documentation."""
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(PageSecurityMiddleware)
