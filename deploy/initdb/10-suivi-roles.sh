#!/bin/sh
# Run by the postgres image once, when it creates its data directory: the roles Suivi uses.
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v database="$POSTGRES_DB" \
    -v owner_role=suivi_owner -v owner_password="$SUIVI_OWNER_PASSWORD" \
    -v app_role=suivi_app -v app_password="$SUIVI_APP_PASSWORD" \
    -f /docker-entrypoint-initdb.d/suivi-roles.psql
