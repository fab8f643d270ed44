"""Full-text search in English, French, Spanish and Arabic; a keyset index for date order.

Each text (the original on `recommendations`, translations on `recommendation_texts`) gets a
stored `search_vector` built with its language's text-search configuration (`simple` for any
other language), after `suivi_fold`: lower case, Latin accents removed, Arabic diacritics and
tatweel removed and letter variants unified (alef forms, teh marbuta, alef maksura, hamza
seats), ligatures split. Queries go through the same function, so "defenseurs" finds
"défenseurs". The fold is written here rather than with `unaccent` because the embedded server
has no contrib extensions; it needs a UTF-8 database, as `normalize()` does.

Lists sorted by date page on `(COALESCE(issued_date, '-infinity'::date), id)`: undated
recommendations sort first in ascending order and last in descending order, and a keyset never
meets a NULL. `-infinity` and not a real date: asyncpg reads it as `date.min` and writes
`date.min` back as `-infinity`, so a cursor holding it resumes exactly where it stopped.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The fold: lower case; compatibility decomposition (NFKD), which splits accented Latin letters
# into letter + combining mark, Arabic alef and hamza forms into the bare letter + hamza or madda
# mark, and ligatures and presentation forms into plain letters; then the marks go (Latin
# combining marks, Arabic harakat and hamza marks U+064B-U+065F, superscript alef U+0670,
# tatweel U+0640). The letters that do not decompose are mapped one for one (Latin o, d, l and
# dotless i with strokes; teh marbuta, alef maksura, alef wasla), the rest replaced.
# normalize() and one regular expression cost a fifth of a translate() over every accented form.
_MARKS = "[\\u0300-\\u036f\\u064b-\\u065f\\u0670\\u0640]"
_ONE_FOR_ONE = ("øđłı\u0629\u0649\u0671", "odli\u0647\u064a\u0627")
_REPLACED = {"œ": "oe", "æ": "ae", "ß": "ss"}


def _fold_function() -> str:
    value = f"regexp_replace(normalize(lower(value), NFKD), '{_MARKS}', '', 'g')"
    value = f"translate({value}, '{_ONE_FOR_ONE[0]}', '{_ONE_FOR_ONE[1]}')"
    for letter, letters in _REPLACED.items():
        value = f"replace({value}, '{letter}', '{letters}')"
    return f"""
    CREATE FUNCTION suivi_fold(value text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN {value}
    """


SEARCH_CONFIG_FUNCTION = """
CREATE FUNCTION suivi_search_config(language text) RETURNS regconfig
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE language
    WHEN 'en' THEN 'english'::regconfig
    WHEN 'fr' THEN 'french'::regconfig
    WHEN 'es' THEN 'spanish'::regconfig
    WHEN 'ar' THEN 'arabic'::regconfig
    ELSE 'simple'::regconfig
END
"""

SEARCH_VECTOR = "to_tsvector(suivi_search_config(language), suivi_fold(text))"
TEXT_TABLES = ("recommendations", "recommendation_texts")


def upgrade() -> None:
    op.execute(_fold_function())
    op.execute(SEARCH_CONFIG_FUNCTION)
    for table in TEXT_TABLES:
        op.execute(
            f"ALTER TABLE {table} ADD COLUMN search_vector tsvector NOT NULL "
            f"GENERATED ALWAYS AS ({SEARCH_VECTOR}) STORED"
        )
        op.execute(f"CREATE INDEX ix_{table}_search_vector ON {table} USING gin (search_vector)")
    op.drop_index("ix_recommendations_issued_date", table_name="recommendations")
    op.execute(
        "CREATE INDEX ix_recommendations_date_id ON recommendations "
        "((COALESCE(issued_date, '-infinity'::date)), id)"
    )


def downgrade() -> None:
    op.drop_index("ix_recommendations_date_id", table_name="recommendations")
    op.create_index("ix_recommendations_issued_date", "recommendations", ["issued_date"])
    for table in TEXT_TABLES:
        op.drop_index(f"ix_{table}_search_vector", table_name=table)
        op.drop_column(table, "search_vector")
    op.execute("DROP FUNCTION suivi_search_config(text)")
    op.execute("DROP FUNCTION suivi_fold(text)")
