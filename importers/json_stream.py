"""The records of a JSON file built from ijson's basic parse events, depth and strings bounded.

ijson's prefixed events (`parse`, `items`) carry the path of every open container, so their
memory grows with the square of the nesting depth: gigabytes for a file nested 200,000 levels
deep, before its first record. The basic events carry no path: the records are built here,
and the depth is counted as each event comes, so a file nested too deep is refused at once.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from suivi.input_limits import MAX_FIELD_CHARS, MAX_JSON_DEPTH

_OPENING = frozenset({"start_map", "start_array"})
_CLOSING = frozenset({"end_map", "end_array"})


class TooDeep(ValueError):
    """The file nests arrays and objects deeper than MAX_JSON_DEPTH."""


@dataclass(frozen=True, slots=True)
class Overlong:
    """A text longer than MAX_FIELD_CHARS, in `field` when it is a field's value; `in_record`
    says whether it stands for its record, which is not built."""

    field: str | None
    in_record: bool

    def message(self) -> str:
        """Why the record, or the file, is refused."""
        what = self.field if self.field is not None else "a text"
        return f"{what} is longer than {MAX_FIELD_CHARS:,} characters"


class JsonRecords:
    """The records of a JSON list, fed the file's basic parse events chunk by chunk.

    The list is the file itself (`key` None), or the value of the top-level object's `key`,
    whose scalar values named in `header` are kept in `self.header`.
    """

    def __init__(self, *, key: str | None = None, header: Iterable[str] = ()) -> None:
        self.key = key
        self.header_keys = frozenset(header)
        self.header: dict[str, Any] = {}
        # Records seen so far: the index of the next one.
        self.count = 0
        # Inside the list, the depth of its records' own fields: 1 when the list is the file.
        self._level = 1 if key is None else 2
        self._depth = 0
        self._in_list = False
        self._root_is_map = False
        self._top_key: str | None = None
        # The record being built: its open containers, the current key, the field it is in.
        self._stack: list[Any] = []
        self._key: str | None = None
        self._field: str | None = None
        self._overlong: Overlong | None = None

    def feed(self, events: Iterable[tuple[str, Any]]) -> Iterator[tuple[int, Any]]:
        """The records completed by `events`, each with its 0-based index (an Overlong in
        place of a record, or between them for a text outside every record); TooDeep past
        MAX_JSON_DEPTH."""
        # Locals: this loop runs once per event of files of hundreds of megabytes.
        level, depth, stack = self._level, self._depth, self._stack
        key, field = self._key, self._field
        try:
            for event, value in events:
                if stack:
                    if event == "map_key":
                        if len(value) > MAX_FIELD_CHARS:
                            self._overlong = self._overlong or Overlong(None, in_record=True)
                            value = ""
                        key = value
                        if depth == level + 1:
                            field = value
                        continue
                    if event in _CLOSING:
                        depth -= 1
                        done = stack.pop()
                        if not stack:
                            self.count += 1
                            yield self.count - 1, self._overlong or done
                            self._overlong = None
                        continue
                    if event in _OPENING:
                        depth += 1
                        if depth > MAX_JSON_DEPTH:
                            raise TooDeep(depth)
                        value = {} if event == "start_map" else []
                        pushed = True
                    else:
                        pushed = False
                        if event == "string" and len(value) > MAX_FIELD_CHARS:
                            self._overlong = self._overlong or Overlong(field, in_record=True)
                            value = ""
                    top = stack[-1]
                    if type(top) is list:
                        top.append(value)
                    else:
                        top[key] = value
                    if pushed:
                        stack.append(value)
                    continue
                if event in _OPENING:
                    depth += 1
                    if depth > MAX_JSON_DEPTH:
                        raise TooDeep(depth)
                    if self._in_list and depth == level + 1:
                        stack.append({} if event == "start_map" else [])
                        key = field = None
                    elif depth == 1:
                        self._root_is_map = event == "start_map"
                        self._in_list = level == 1 and not self._root_is_map
                    elif depth == 2 and self._root_is_map:
                        self._in_list = self._top_key == self.key and event == "start_array"
                        if self._top_key in self.header_keys:
                            self.header[self._top_key] = None
                elif event in _CLOSING:
                    depth -= 1
                    if depth < level:
                        self._in_list = False
                elif event == "map_key":
                    if len(value) > MAX_FIELD_CHARS:
                        yield self.count, Overlong(None, in_record=False)
                        value = ""
                    if depth == 1:
                        self._top_key = value
                elif self._in_list and depth == level:
                    self.count += 1
                    if event == "string" and len(value) > MAX_FIELD_CHARS:
                        value = Overlong(None, in_record=True)
                    yield self.count - 1, value
                elif event == "string" and len(value) > MAX_FIELD_CHARS:
                    yield self.count, Overlong(self._top_key, in_record=False)
                elif depth == 1 and self._root_is_map and self._top_key in self.header_keys:
                    self.header[self._top_key] = value
        finally:
            self._depth, self._key, self._field = depth, key, field
