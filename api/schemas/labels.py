"""The fields that put a code in words, in the language the request asked for.

One scheme everywhere: beside a field holding a code sits `<field>_label` (a list of codes:
its singular and `_labels`, same order; an object's own `code`: `label`). Labels follow
`Accept-Language` (`Content-Language` says which); codes and every other field never do.
"""

from typing import Annotated

from pydantic import Field

_FALLBACK = "in English, then as the code itself, when it has no label in that language"

CodeLabel = Annotated[
    str,
    Field(description=f"What the code beside it reads as, in the asked language ({_FALLBACK})."),
]
OptionalLabel = Annotated[
    str | None,
    Field(description=f"What the code beside it reads as ({_FALLBACK}); null when it is null."),
]
CodeLabels = Annotated[
    list[str],
    Field(description=f"What each code of the list beside it reads as, in order ({_FALLBACK})."),
]
StateLabel = Annotated[
    str,
    Field(
        description="The State's name in the asked language (CLDR); the code itself when it "
        "is no ISO 3166-1 alpha-3."
    ),
]
OptionalStateLabel = Annotated[
    str | None,
    Field(description="The State's name in the asked language (CLDR); null when it is null."),
]
StateLabels = Annotated[
    list[str],
    Field(description="The name of each State of the list beside it, in order (CLDR)."),
]
