"""How much of a hostile input Suivi reads: JSON nesting, and the length of lines and fields."""

# Arrays and objects nested deeper are refused as soon as the parser meets them: a JSON
# parser's memory can grow with the square of the depth, and no Suivi document nests past a
# handful of levels.
MAX_JSON_DEPTH = 64

# A CSV cell, a JSON string or a line of report text longer than this is an error: Python's
# csv module refuses a longer field by default, and no real recommendation comes near it.
MAX_FIELD_CHARS = 131_072

# PostgreSQL refuses a text-search vector over 1 MiB, and hostile text (distinct hyphenated
# words, indexed whole and in parts) was measured at under five and a half bytes of vector per
# byte of folded text: text that folds to more is refused before it reaches the table.
MAX_SEARCHABLE_BYTES = 150_000
