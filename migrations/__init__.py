"""Alembic migrations; a package so that an installed Suivi can find them."""
