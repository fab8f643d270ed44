"""Labels of Suivi's codes (mechanisms, statuses, positions, relevance...) for the pages.

The labels themselves are the shared catalogue's (suivi/labels.py), which the JSON API reads too.
Codes never change with the language; only what a person reads does.
"""

from suivi import labels as catalogue
from suivi.labels import Kind

# The pages' short names of some kinds.
_KINDS = {"hrd": Kind.HRD_RELEVANCE}


def _kind(kind: str) -> Kind:
    return _KINDS.get(kind) or Kind(kind)


def label(kind: str, code: str | None, language: str) -> str:
    """What a person reads for `code` of `kind` (its code itself when unknown)."""
    if code is None:
        return "—"
    return catalogue.label(_kind(kind), str(code), language)


def codes(kind: str) -> list[str]:
    """Every code of `kind`, in the order the pages list them."""
    return catalogue.codes(_kind(kind))


def state_name(code: str | None, language: str) -> str:
    """A State's name in `language`, from CLDR; its code when it has none."""
    if not code:
        return "—"
    return catalogue.state_name(code, language)
