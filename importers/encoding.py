"""Decoding source text files whose encoding and line endings nobody wrote down.

UN and UPR Info exports come as UTF-8 (with or without BOM), UTF-16, Windows-1252 or Mac Roman,
with LF, CRLF or bare CR line endings. A wrong guess turns "Côte d'Ivoire" into "CÙte
d'Ivoire" without any error, so a single-byte encoding is accepted only when every non-ASCII
character it yields is one real text uses; otherwise decoding fails and says where.
"""

import codecs
import re
from dataclasses import dataclass

# Characters that appear in real UN text in Latin-script languages: accented letters,
# typographic punctuation. Anything else from a single-byte guess is a sign of a wrong guess.
_PLAUSIBLE = set(
    "ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝßàáâãäåæçèéêëìíîïñòóôõöøùúûüýÿ"
    "ĀāĂăĄąĆćČčĎďĐđĒēĘęĚěĞğİıŁłŃńŇňŐőŒœŘřŚśŞşŠšŢţŤťŮůŰűŸŹźŻżŽžș"
    "\u2018\u2019\u201a\u201c\u201d\u201e\u2013\u2014\u2026«»°·€£§ª º¡¿\u00a0"
)
# Sequences that UTF-8 text read as a single-byte encoding leaves behind ("Ã©" for "é").
_MOJIBAKE = re.compile("Ã[\u0080-\u00bf]|â€[\u0080-\u00bf™œ\u009d]|Â[\u00a0-\u00bf]")
_SINGLE_BYTE_CANDIDATES = ("cp1252", "mac_roman")
_CAPITAL_INSIDE_WORD = re.compile(r"[A-Za-z][\u00c0-\u00d6\u00d8-\u00de](?=[a-z])")


class SourceEncodingError(ValueError):
    """The bytes cannot be read as text with confidence; `line` and `column` say where."""

    def __init__(self, message: str, *, line: int, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@dataclass(frozen=True, slots=True)
class DecodedText:
    """Text with LF line endings, and what it was before."""

    text: str
    encoding: str
    line_ending: str  # "LF", "CRLF", "CR" or "none"


def _position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of `offset`, counting CRLF, CR and LF each as one line break."""
    before = _normalise_newlines(text[:offset])
    line = before.count("\n") + 1
    return line, len(before) - (before.rfind("\n") + 1) + 1


def _byte_position(raw: bytes, offset: int) -> tuple[int, int]:
    # latin-1 maps each byte to one character, so offsets and columns stay in bytes.
    return _position(raw[: offset + 1].decode("latin-1"), offset)


def _line_ending(text: str) -> str:
    crlf = text.count("\r\n")
    cr = text.count("\r") - crlf
    lf = text.count("\n") - crlf
    counts = {"CRLF": crlf, "CR": cr, "LF": lf}
    best = max(counts, key=lambda k: counts[k])
    return best if counts[best] else "none"


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _check_not_mojibake(text: str, encoding: str) -> None:
    found = _MOJIBAKE.search(text)
    if found:
        line, column = _position(text, found.start())
        raise SourceEncodingError(
            f"the text is garbled ({found.group()!r}): it was decoded with the wrong encoding "
            "before it was saved; re-export it from the original",
            line=line,
            column=column,
        )


def _implausible(text: str) -> int | None:
    for index, char in enumerate(text):
        if ord(char) > 127 and char not in _PLAUSIBLE:
            return index
    return None


def _misplaced_capital(text: str) -> int | None:
    # A wrong single-byte guess often turns a lower-case accent into a capital inside a word
    # ("CÙte" for "Côte"); real text capitalises accented letters only at a word's start.
    found = _CAPITAL_INSIDE_WORD.search(text)
    return found.start() + 1 if found else None


def decode_source(raw: bytes) -> DecodedText:
    """Decode `raw`, detecting BOMs, UTF-8 and the single-byte encodings exports use."""
    # Bytes stand for characters in every encoding tried except UTF-16, which has a BOM.
    line_ending = _line_ending(raw.decode("latin-1"))
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if raw.startswith(bom):
            try:
                text = raw.decode(encoding)
            except UnicodeDecodeError as exc:
                line, column = _byte_position(raw, exc.start)
                raise SourceEncodingError(
                    f"the file starts with a {encoding} byte-order mark but byte "
                    f"0x{raw[exc.start]:02X} is not {encoding}",
                    line=line,
                    column=column,
                ) from exc
            _check_not_mojibake(text, encoding)
            return DecodedText(_normalise_newlines(text), encoding, _line_ending(text))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as utf8_error:
        first_bad = utf8_error.start
    else:
        _check_not_mojibake(text, "utf-8")
        return DecodedText(_normalise_newlines(text), "utf-8", line_ending)

    if b"\x00" in raw:
        line, column = _byte_position(raw, raw.index(b"\x00"))
        raise SourceEncodingError(
            "the file holds NUL bytes: it is binary, or UTF-16 without a byte-order mark",
            line=line,
            column=column,
        )
    candidates = list(_SINGLE_BYTE_CANDIDATES)
    if line_ending == "CR":
        # Bare CR line endings are the mark of classic Mac software, which wrote Mac Roman.
        candidates.reverse()
    for encoding in candidates:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _implausible(text) is None and _misplaced_capital(text) is None:
            _check_not_mojibake(text, encoding)
            return DecodedText(_normalise_newlines(text), encoding, line_ending)
    line, column = _byte_position(raw, first_bad)
    raise SourceEncodingError(
        f"cannot tell the file's encoding: byte 0x{raw[first_bad]:02X} is not UTF-8, and no "
        "other encoding gives plausible text; save the file as UTF-8",
        line=line,
        column=column,
    )
