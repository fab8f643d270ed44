"""Tests for the shipped table of UPR Working Group sessions and what it answers."""

from collections.abc import Callable
from datetime import date
from importlib.resources import files
from itertools import pairwise
from pathlib import Path

import pytest

from suivi.upr_sessions import (
    UprSessionTableError,
    latest_known,
    next_review_estimate,
    ordinal,
    read_table,
    review_document_symbol,
    review_document_title,
    session,
    sessions,
)


def shipped_text() -> str:
    return files("suivi").joinpath("data", "upr_sessions.csv").read_text(encoding="utf-8")


def test_table_loads_through_to_the_forty_ninth_session() -> None:
    assert latest_known().number >= 49
    assert sessions()[0].number == 1


def test_sessions_are_contiguous_from_one() -> None:
    assert [s.number for s in sessions()] == list(range(1, len(sessions()) + 1))


@pytest.mark.parametrize(
    ("cycle", "first", "last"), [(1, 1, 12), (2, 13, 26), (3, 27, 40), (4, 41, 54)]
)
def test_each_cycle_holds_its_sessions(cycle: int, first: int, last: int) -> None:
    numbers = [s.number for s in sessions() if s.cycle == cycle]
    assert numbers[0] == first
    if cycle < 4:
        assert numbers == list(range(first, last + 1))
    else:
        assert numbers[-1] <= last


def test_completed_cycles_have_twelve_then_fourteen_sessions() -> None:
    counts = [sum(1 for s in sessions() if s.cycle == cycle) for cycle in (1, 2, 3)]
    assert counts == [12, 14, 14]


@pytest.mark.parametrize(
    ("number", "start", "end", "hrc"),
    [
        (1, date(2008, 4, 7), date(2008, 4, 18), 8),
        (2, date(2008, 5, 5), date(2008, 5, 19), 8),
        (3, date(2008, 12, 1), date(2008, 12, 15), 10),
        (13, date(2012, 5, 21), date(2012, 6, 4), 21),
        (14, date(2012, 10, 22), date(2012, 11, 5), 22),
        (36, date(2020, 11, 2), date(2020, 11, 13), 46),
    ],
)
def test_anchor_sessions_have_their_dates(number: int, start: date, end: date, hrc: int) -> None:
    found = session(number)
    assert found is not None
    assert (found.start_date, found.end_date, found.hrc_session) == (start, end, hrc)


def test_every_session_ends_after_it_starts_and_before_the_next_starts() -> None:
    table = sessions()
    for current, following in pairwise(table):
        assert current.start_date < current.end_date < following.start_date
    assert table[-1].start_date < table[-1].end_date


def test_hrc_session_never_decreases() -> None:
    adopting = [s.hrc_session for s in sessions()]
    assert adopting == sorted(adopting)


@pytest.mark.parametrize("number", [0, -1, 10_000])
def test_unknown_session_is_none(number: int) -> None:
    assert session(number) is None


def test_review_document_symbol_names_session_and_state() -> None:
    assert review_document_symbol("TUN", 13) == "UPR/WG/13/TUN"


def test_review_document_symbol_upper_cases_the_state() -> None:
    assert review_document_symbol(" tun ", 13) == "UPR/WG/13/TUN"


def test_review_document_symbol_cannot_be_a_un_symbol() -> None:
    assert not review_document_symbol("FRA", 29).startswith("A/")


@pytest.mark.parametrize(("state", "number"), [("TN", 13), ("TUNI", 13), ("T1N", 13), ("TUN", 0)])
def test_review_document_symbol_rejects_a_bad_state_or_session(state: str, number: int) -> None:
    with pytest.raises(ValueError, match=r"alpha-3|start at 1"):
        review_document_symbol(state, number)


def test_review_document_title_gives_session_and_year() -> None:
    assert review_document_title("Tunisia", 13) == (
        "Report of the Working Group on the Universal Periodic Review: Tunisia (13th session, 2012)"
    )


def test_review_document_title_leaves_out_an_unknown_year() -> None:
    assert review_document_title("Tunisia", 10_000).endswith("(10000th session)")


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (1, "1st"),
        (2, "2nd"),
        (3, "3rd"),
        (4, "4th"),
        (11, "11th"),
        (12, "12th"),
        (13, "13th"),
        (21, "21st"),
        (22, "22nd"),
        (23, "23rd"),
        (101, "101st"),
        (111, "111th"),
    ],
)
def test_ordinal(number: int, text: str) -> None:
    assert ordinal(number) == text


def test_next_review_estimate_is_the_start_of_the_session_fourteen_later() -> None:
    assert next_review_estimate(13) == date(2017, 5, 1)
    assert next_review_estimate(27) == date(2022, 11, 7)


def test_next_review_estimate_is_none_beyond_the_table() -> None:
    assert next_review_estimate(latest_known().number) is None


def test_next_review_estimate_is_none_for_the_first_cycle() -> None:
    # First-cycle sessions of 16 States were re-cut into sessions of 14: no fixed successor.
    assert next_review_estimate(1) is None


def test_shipped_table_reads_the_same_from_a_path(tmp_path: Path) -> None:
    copy = tmp_path / "upr_sessions.csv"
    copy.write_text(shipped_text(), encoding="utf-8")
    assert read_table(copy) == sessions()


def line_of_session(lines: list[str], number: int) -> int:
    """The 0-based index of the table line for that session."""
    return next(i for i, line in enumerate(lines) if line.startswith(f"{number},"))


def replace_row(number: int, row: str) -> Callable[[list[str]], int]:
    def mutate(lines: list[str]) -> int:
        index = line_of_session(lines, number)
        lines[index] = row
        return index + 1

    return mutate


def drop_row(number: int) -> Callable[[list[str]], int]:
    def mutate(lines: list[str]) -> int:
        index = line_of_session(lines, number)
        del lines[index]
        return index + 1

    return mutate


def replace_header(lines: list[str]) -> int:
    index = next(i for i, line in enumerate(lines) if line.startswith("session,"))
    lines[index] = "session,cycle,start,end,hrc"
    return index + 1


@pytest.mark.parametrize(
    ("mutate", "complaint"),
    [
        pytest.param(drop_row(13), "session 14 where session 13", id="gap"),
        pytest.param(replace_row(13, "13,1,2012-05-21,2012-06-04,21"), "cycle 2", id="cycle"),
        pytest.param(replace_row(13, "13,2,2012-06-04,2012-05-21,21"), "not after", id="reversed"),
        pytest.param(
            replace_row(13, "13,2,2011-10-10,2012-06-04,21"), "before session 12", id="overlap"
        ),
        pytest.param(replace_row(13, "13,2,2012-05-21,2012-06-04,18"), "hrc_session 18", id="hrc"),
        pytest.param(replace_row(13, "13,2,21/05/2012,2012-06-04,21"), "YYYY-MM-DD", id="date"),
        pytest.param(replace_row(13, "13,2,20120521,2012-06-04,21"), "YYYY-MM-DD", id="compact"),
        pytest.param(replace_row(13, "13,2,2012-05-21,2012-06-04"), "5 columns", id="short"),
        pytest.param(replace_row(13, "13,two,2012-05-21,2012-06-04,21"), "cycle 'two'", id="int"),
        pytest.param(replace_header, "header", id="header"),
    ],
)
def test_malformed_table_fails_naming_the_line(
    tmp_path: Path, mutate: Callable[[list[str]], int], complaint: str
) -> None:
    lines = shipped_text().splitlines()
    bad_line = mutate(lines)
    copy = tmp_path / "upr_sessions.csv"
    copy.write_text("\n".join(lines) + "\n", encoding="utf-8")

    with pytest.raises(UprSessionTableError, match=complaint) as failure:
        read_table(copy)

    assert failure.value.line == bad_line
    assert f"upr_sessions.csv line {bad_line}:" in str(failure.value)


def test_table_without_sessions_fails(tmp_path: Path) -> None:
    copy = tmp_path / "upr_sessions.csv"
    copy.write_text("# nothing yet\nsession,cycle,start_date,end_date,hrc_session\n")
    with pytest.raises(UprSessionTableError, match="no session"):
        read_table(copy)
