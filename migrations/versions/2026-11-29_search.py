"""Full-text search in English, French, Spanish and Arabic; a keyset index for date order.

Each text (the original on `recommendations`, translations on `recommendation_texts`) gets a
stored `search_vector` built with its language's text-search configuration (`simple` for any
other language), after `suivi_fold`: lower case, Latin accents removed, Arabic diacritics and
tatweel removed and letter variants unified (alef forms, teh marbuta, alef maksura, hamza
seats). Queries go through the same function, so "defenseurs" finds "défenseurs". The fold is
written here rather than with `unaccent` because the embedded server has no contrib extensions.

Lists sorted by date page on `(COALESCE(issued_date, '0001-01-01'::date), id)`: undated
recommendations sort first in ascending order and last in descending order, and a keyset never
meets a NULL.

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

# One character for one character, for translate(); the few that fold to two letters are
# replaced before it.
_FOLD = {
    **dict.fromkeys("àáâãäåāăą", "a"),
    **dict.fromkeys("çćĉċč", "c"),
    **dict.fromkeys("ďđ", "d"),
    **dict.fromkeys("èéêëēĕėęě", "e"),
    **dict.fromkeys("ĝğġģ", "g"),
    **dict.fromkeys("ìíîïĩīĭįı", "i"),
    **dict.fromkeys("ķ", "k"),
    **dict.fromkeys("ĺļľŀł", "l"),
    **dict.fromkeys("ñńņňŉ", "n"),
    **dict.fromkeys("òóôõöøōŏő", "o"),
    **dict.fromkeys("ŕŗř", "r"),
    **dict.fromkeys("śŝşšș", "s"),
    **dict.fromkeys("ţťŧț", "t"),
    **dict.fromkeys("ùúûüũūŭůűų", "u"),
    **dict.fromkeys("ýÿŷ", "y"),
    **dict.fromkeys("źżž", "z"),
    # Arabic letter variants: alef with hamza or madda and alef wasla, teh marbuta,
    # alef maksura, and hamza on waw or yeh.
    **dict.fromkeys("\u0623\u0625\u0622\u0671", "\u0627"),
    "\u0629": "\u0647",
    "\u0649": "\u064a",
    "\u0624": "\u0648",
    "\u0626": "\u064a",
}
# The lam-alef ligature becomes lam and alef.
_LIGATURES = {"œ": "oe", "æ": "ae", "ß": "ss", "\ufefb": "\u0644\u0627"}


def _fold_function() -> str:
    value = "lower(value)"
    for ligature, letters in _LIGATURES.items():
        value = f"replace({value}, '{ligature}', '{letters}')"
    # Arabic harakat (U+064B-U+065F), superscript alef (U+0670) and tatweel (U+0640).
    value = f"regexp_replace({value}, '[\\u064B-\\u065F\\u0670\\u0640]', '', 'g')"
    source, target = "".join(_FOLD), "".join(_FOLD.values())
    return f"""
    CREATE FUNCTION suivi_fold(value text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN translate({value}, '{source}', '{target}')
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
        "((COALESCE(issued_date, '0001-01-01'::date)), id)"
    )


def downgrade() -> None:
    op.drop_index("ix_recommendations_date_id", table_name="recommendations")
    op.create_index("ix_recommendations_issued_date", "recommendations", ["issued_date"])
    for table in TEXT_TABLES:
        op.drop_index(f"ix_{table}_search_vector", table_name=table)
        op.drop_column(table, "search_vector")
    op.execute("DROP FUNCTION suivi_search_config(text)")
    op.execute("DROP FUNCTION suivi_fold(text)")
