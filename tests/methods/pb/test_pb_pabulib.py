"""The pabulib reader and writer: real files, round trips, exact numbers, precise errors."""

from __future__ import annotations

import time
from fractions import Fraction

import pytest

from coproduce.methods.pb import pabulib
from coproduce.methods.pb.pabulib import Ballot, Election, PabulibError, Project
from methods.pb.pb_testdata import DATA, HERE, data_files, needs_data

SAMPLES = HERE / "samples"


# --------------------------------------------------------------------------- real files


@needs_data
@pytest.mark.parametrize("name", data_files())
def test_every_shared_file_parses_and_round_trips(name: str) -> None:
    election = pabulib.parse_file(DATA / name)
    meta = election.meta
    assert len(election.projects) == int(meta["num_projects"])
    assert election.num_voters == int(meta["num_votes"])
    assert election.budget == pabulib.parse_number(meta["budget"])
    again = pabulib.parse(pabulib.write(election))
    assert again == election


@needs_data
def test_non_integer_budget_is_exact() -> None:
    election = pabulib.parse_file(DATA / "Poland_Krakow_2023_Nowa_Huta.pb")
    assert election.budget == Fraction(245848822, 100)
    assert election.vote_type == "ordinal"
    assert election.project("BO.D18.9/23").cost == 999999999


@needs_data
def test_cumulative_points_are_kept() -> None:
    election = pabulib.parse_file(DATA / "Poland_Czestochowa_2024.pb")
    first = election.ballots[0]
    assert first.voter_id == "1"
    assert first.projects == ("596",)
    assert first.points == (10,)
    assert first.fields["voting_method"] == "internet"
    assert all(sum(b.points or ()) <= 10 for b in election.ballots)


@needs_data
def test_city_wide_file_parses_fast() -> None:
    pabulib.parse_file(DATA / "Poland_Lodz_2022.pb")  # warm caches (and numpy import)
    started = time.perf_counter()
    election = pabulib.parse_file(DATA / "Poland_Lodz_2022.pb")
    elapsed = time.perf_counter() - started
    assert election.num_voters == 90494
    assert elapsed < 1.0, f"parsing Lodz 2022 took {elapsed:.2f} s (target well under 0.5 s)"


@needs_data
def test_row_by_row_path_matches_column_path() -> None:
    """A blank line forces the row-by-row reader; it must build the very same election."""
    text = (DATA / "Poland_Czestochowa_2024.pb").read_text(encoding="utf-8-sig")
    head, votes = text.split("\nVOTES", 1)
    header, rest = votes.split("\n", 2)[1], votes.split("\n", 2)[2]
    slow = pabulib.parse(f"{head}\nVOTES\n{header}\n\n{rest}")
    assert slow == pabulib.parse(text)


# --------------------------------------------------------------------------- samples


def test_sample_approval_with_quotes_empty_votes_and_free_project() -> None:
    election = pabulib.parse_file(SAMPLES / "approval.pb")
    assert election.meta["description"] == 'Tiny approval election; with "quotes"'
    assert election.budget == Fraction(21, 2)
    bench = election.project("1")
    assert bench.name == "Bench; in the park"
    assert bench.fields["category"] == "culture,sport"
    assert election.project("2").cost == Fraction(7, 2)
    assert [b.projects for b in election.ballots] == [
        ("1", "2"),
        ("2", "10"),
        (),
        ("10",),
        ("3", "1"),
    ]
    assert election.ballots[-1].fields == {"age": "29"}
    assert election.ballots[2:4] == [election.ballots[2], election.ballots[3]]
    assert pabulib.parse(pabulib.write(election)) == election


def test_sample_crlf_cumulative_and_bom_ordinal() -> None:
    cumulative = pabulib.parse_file(SAMPLES / "cumulative.pb")
    assert cumulative.vote_type == "cumulative"
    assert [b.points for b in cumulative.ballots] == [(3, 2), (5,), (4, 1), (5,)]
    ordinal = pabulib.parse_file(SAMPLES / "ordinal.pb")
    assert ordinal.budget == Fraction(400300, 400)
    assert ordinal.ballots[1].projects == ("C", "A")  # ranking order is kept
    for election in (cumulative, ordinal):
        assert pabulib.parse(pabulib.write(election)) == election


def test_hand_built_election_round_trips() -> None:
    """Round trip holds whenever projects (and ballots) share their field names, as in a file."""
    election = Election(
        meta={"description": "built in code", "budget": "ignored", "vote_type": "scoring"},
        projects=(
            Project("x", Fraction(1, 3), {"name": "One third"}),
            Project("y", 2, {"name": ""}),
        ),
        ballots=(
            Ballot("v1", ("x", "y"), (Fraction(3, 2), 1), {"district": "North; East"}),
            Ballot("v2", (), (), {"district": ""}),
        ),
        budget=Fraction(5, 2),
        vote_type="scoring",
    )
    text = pabulib.write(election)
    again = pabulib.parse(text)
    assert again.budget == Fraction(5, 2)
    assert again.projects == election.projects
    assert again.ballots == election.ballots
    assert pabulib.parse(pabulib.write(again)) == again


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("12", 12),
        (" 2458488.22 ", Fraction(245848822, 100)),
        ("1,5", Fraction(3, 2)),
        ("1e3", 1000),
        ("7/4", Fraction(7, 4)),
        ("-3", -3),
    ],
)
def test_numbers_are_exact(text: str, value) -> None:
    parsed = pabulib.parse_number(text)
    assert parsed == value and not isinstance(parsed, float)
    assert pabulib.parse_number(pabulib.format_number(parsed)) == value


@pytest.mark.parametrize(
    "text",
    [
        "",
        "abc",
        "nan",
        "inf",
        "1e",
        "1/0",
        "1.2.3",
        "0x10",
        "١٢",
        "1_000",
        "²",
        "1/²",
        "1e61",
        "9" * 61,
    ],
)
def test_not_numbers(text: str) -> None:
    with pytest.raises(ValueError):
        pabulib.parse_number(text)


def test_format_number() -> None:
    assert pabulib.format_number(Fraction(245848822, 100)) == "2458488.22"
    assert pabulib.format_number(Fraction(1, 3)) == "1/3"
    assert pabulib.format_number(Fraction(-1, 8)) == "-0.125"


# --------------------------------------------------------------------------- errors

GOOD = """META
key;value
num_projects;2
num_votes;2
budget;100
vote_type;approval
PROJECTS
project_id;cost;name
1;50;One
2;60;Two
VOTES
voter_id;vote
a;1,2
b;2
"""


def _replace_line(text: str, lineno: int, new: str) -> str:
    lines = text.split("\n")
    lines[lineno - 1] = new
    return "\n".join(lines)


ERRORS = [
    # (description, transformed text, line, fragment of the message)
    ("data before META", "hello;world\n" + GOOD, 1, "expected a section marker"),
    ("PROJECTS first", GOOD.split("PROJECTS\n", 1)[1].join(["PROJECTS\n", ""]), 1, "before"),
    ("no VOTES", GOOD.split("VOTES")[0], 11, "section VOTES is missing"),
    ("section twice", GOOD + "META\nkey;value\n", 15, "appears twice"),
    ("META row width", _replace_line(GOOD, 3, "num_projects;2;extra"), 3, "2 fields"),
    ("no budget", _replace_line(GOOD, 5, "budgetx;100"), 1, "no 'budget'"),
    ("bad budget", _replace_line(GOOD, 5, "budget;lots"), 5, "budget 'lots'"),
    ("unknown vote type", _replace_line(GOOD, 6, "vote_type;quadratic"), 6, "vote_type"),
    ("no cost column", _replace_line(GOOD, 8, "project_id;price;name"), 8, "'cost'"),
    ("project row width", _replace_line(GOOD, 9, "1;50"), 9, "expected 3 fields"),
    ("non-numeric cost", _replace_line(GOOD, 10, "2;sixty;Two"), 10, "cost 'sixty'"),
    ("negative cost", _replace_line(GOOD, 10, "2;-60;Two"), 10, "negative"),
    ("duplicate project", _replace_line(GOOD, 10, "1;60;Two"), 10, "duplicate project_id"),
    ("no vote column", _replace_line(GOOD, 12, "voter_id;ballot"), 12, "'vote'"),
    ("vote row width", _replace_line(GOOD, 14, "b;2;extra"), 14, "expected 2 fields"),
    ("unknown project", _replace_line(GOOD, 14, "b;2,7"), 14, "unknown project '7'"),
    ("duplicate voter", _replace_line(GOOD, 14, "a;2"), 14, "duplicate voter_id"),
    ("empty voter id", _replace_line(GOOD, 14, ";2"), 14, "empty voter_id"),
    ("unterminated quote", _replace_line(GOOD, 10, '2;60;"Two'), 10, "unterminated"),
    (
        "quote closed lines later",
        _replace_line(_replace_line(GOOD, 9, '1;50;"One'), 10, '2;60;"Two" more'),
        9,
        "unterminated",
    ),
    ("unicode digits", _replace_line(GOOD, 5, "budget;١٠٠"), 5, "budget '١٠٠'"),
    ("huge exponent", _replace_line(GOOD, 5, "budget;1e999999999"), 5, "not a number"),
]


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [pytest.param(t, n, f, id=d) for d, t, n, f in ERRORS],
)
def test_malformed_files_name_line_and_problem(text: str, line: int, fragment: str) -> None:
    with pytest.raises(PabulibError) as caught:
        pabulib.parse(text, source="x.pb")
    err = caught.value
    assert err.line == line, str(err)
    assert fragment in str(err)
    assert str(err).startswith(f"x.pb: line {line}: ")


POINTS = """META
key;value
budget;10
vote_type;cumulative
PROJECTS
project_id;cost
1;5
2;6
VOTES
voter_id;vote;points
a;1,2;3,2
b;2;4
"""


@pytest.mark.parametrize(
    ("bad", "fragment"),
    [("b;2;4,1", "2 points for 1 projects"), ("b;2;many", "points 'many'"), ("b;2;-1", "negative")],
)
def test_malformed_points(bad: str, fragment: str) -> None:
    with pytest.raises(PabulibError) as caught:
        pabulib.parse(_replace_line(POINTS, 12, bad))
    assert caught.value.line == 12
    assert fragment in str(caught.value)


def test_missing_points_column() -> None:
    with pytest.raises(PabulibError, match="line 10: VOTES header has no 'points'"):
        pabulib.parse(_replace_line(POINTS, 10, "voter_id;vote;score"))


def test_invalid_utf8_names_line(tmp_path) -> None:
    path = tmp_path / "broken.pb"
    path.write_bytes(GOOD.encode().replace(b"Two", b"T\xffo"))
    with pytest.raises(PabulibError) as caught:
        pabulib.parse_file(path)
    assert caught.value.line == 10
    assert "UTF-8" in str(caught.value)


# --------------------------------------------------------------------------- irregularities
# Real files of the public library that pabutools reads although they are not clean: each
# irregularity is read as pabutools reads it and reported with its line; strict refuses it.

GRABOWKA = SAMPLES / "Poland_Czestochowa_2020_Grabowka.pb"


def test_stray_quote_of_a_real_file_is_read_as_pabutools_reads_it() -> None:
    election = pabulib.parse_file(GRABOWKA)
    assert election.project("47").name.startswith("Odkupmy i my - zakup")
    assert election.num_voters == 201
    assert [w.line for w in election.warnings] == [29]
    assert "stray quote" in str(election.warnings[0])
    with pytest.raises(PabulibError, match="line 29: stray quote.*strict"):
        pabulib.parse_file(GRABOWKA, strict=True)


def test_a_quote_inside_an_unquoted_field_is_plain_text() -> None:
    election = pabulib.parse(_replace_line(GOOD, 9, '1;50;TV 32" screen'))
    assert election.project("1").name == 'TV 32" screen'
    assert election.project("2").name == "Two"
    assert not election.warnings


@pytest.mark.parametrize(
    ("vote_type", "line", "projects", "points", "how"),
    [
        ("approval", "a;1,2,1", ("1", "2"), None, "counted once,"),
        ("ordinal", "a;2,1,2", ("2", "1"), None, "counted once,"),
        ("cumulative", "a;1,2,1;3,1,1", ("1", "2"), (1, 1), "last listing"),
        ("cumulative", "a;1,1;2,2", ("1",), (2,), "counted once,"),
    ],
)
def test_a_project_listed_twice_in_a_vote_counts_once(
    vote_type: str, line: str, projects: tuple, points: tuple | None, how: str
) -> None:
    text = _replace_line(GOOD, 6, f"vote_type;{vote_type}")
    if points is not None:
        text = _replace_line(text, 12, "voter_id;vote;points")
        text = _replace_line(text, 14, "b;2;1")
    election = pabulib.parse(_replace_line(text, 13, line))
    first = election.ballots[0]
    assert (first.projects, first.points) == (projects, points)
    assert first.line == 13 and election.ballots[1].line == 14
    (warning,) = election.warnings
    assert warning.line == 13 and "more than once" in warning.problem and how in warning.problem
    with pytest.raises(PabulibError, match="line 13: vote of voter 'a' lists project"):
        pabulib.parse(_replace_line(text, 13, line), strict=True)


def test_lines_of_projects_ballots_and_meta_are_known() -> None:
    election = pabulib.parse(GOOD)
    assert [p.line for p in election.projects] == [9, 10]
    assert [b.line for b in election.ballots] == [13, 14]
    assert election.meta_lines["budget"] == 5
    slow = pabulib.parse(GOOD.replace("VOTES\nvoter_id;vote\n", "VOTES\nvoter_id;vote\n\n"))
    assert [b.line for b in slow.ballots] == [14, 15]
