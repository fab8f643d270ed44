# Suivi API image. Expects SUIVI_DATABASE_URL (postgresql+asyncpg://...) pointing at PostgreSQL.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# psql applies `suivi grants` after migrating (compose.yaml); pg_dump and pg_restore serve
# `suivi backup` and `suivi restore`.
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY api ./api
COPY models ./models
COPY suivi ./suivi
COPY importers ./importers
COPY migrations ./migrations
RUN pip install . \
    && useradd --create-home --uid 10001 --user-group suivi

USER suivi
EXPOSE 8000
# `suivi serve` applies pending migrations, then serves.
CMD ["suivi", "serve", "--host", "0.0.0.0", "--port", "8000"]
