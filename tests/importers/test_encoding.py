"""Detecting the encoding and line endings of source text."""

import pytest

from importers.encoding import SourceEncodingError, decode_source

TEXT = "Côte d'Ivoire\nÉtat partie\n"


@pytest.mark.parametrize(
    ("encoding", "newline", "expected_encoding", "expected_ending"),
    [
        ("utf-8", "\n", "utf-8", "LF"),
        ("utf-8-sig", "\r\n", "utf-8-sig", "CRLF"),
        ("utf-16", "\r\n", "utf-16", "CRLF"),
        ("cp1252", "\r\n", "cp1252", "CRLF"),
        ("cp1252", "\r", "cp1252", "CR"),
        ("mac_roman", "\r", "mac_roman", "CR"),
        ("mac_roman", "\n", "mac_roman", "LF"),
    ],
)
def test_encoding_and_line_ending_are_detected(
    encoding: str, newline: str, expected_encoding: str, expected_ending: str
) -> None:
    decoded = decode_source(TEXT.replace("\n", newline).encode(encoding))

    assert decoded.text == TEXT
    assert decoded.encoding == expected_encoding
    assert decoded.line_ending == expected_ending


def test_text_garbled_before_saving_is_an_error_with_its_position() -> None:
    garbled = TEXT.encode("utf-8").decode("latin-1")

    with pytest.raises(SourceEncodingError, match="garbled") as caught:
        decode_source(("ok\n" + garbled).encode("utf-8"))

    assert (caught.value.line, caught.value.column) == (2, 2)


def test_bytes_no_encoding_reads_plausibly_are_an_error() -> None:
    with pytest.raises(SourceEncodingError, match="0xAD") as caught:
        decode_source(b"first line\nsecond \xad\xb6 line\n")

    assert (caught.value.line, caught.value.column) == (2, 8)


def test_binary_file_is_an_error() -> None:
    with pytest.raises(SourceEncodingError, match="NUL"):
        decode_source(b"\x00\x01\x02\xff")
