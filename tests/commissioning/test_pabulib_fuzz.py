"""Generated ``.pb`` files against the importer: a clean import, or a refusal that names a line.

Each file is a valid one changed once or twice, each change aimed at one place: a META number,
a cost, a point, an id, a vote or a text replaced with junk (numbers too large, negative,
fractional, NaN, unicode digits; long ids; stray quotes; 150,000-character names), a line
repeated, dropped or given an extra field, sections missing, repeated or reordered, bytes that
are not UTF-8. For every file the importer either creates a budget whose pages, export and tally
work, or raises a ``ValidationError`` whose every message names a line of the file, leaving the
database as it was. Any other exception fails the test.
"""

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from coproduce.audit.models import AuditEntry
from coproduce.commissioning import services
from coproduce.commissioning.models import Ballot, BallotChoice, Budget, BudgetArea, Proposal
from coproduce.commissioning.pabulib_io import budget_export_pabulib, budget_import_pabulib

MODELS = (Budget, BudgetArea, Proposal, Ballot, BallotChoice, AuditEntry)
LINE = re.compile(r"line \d+")

#: Numbers that a reader could take for a number but no budget can hold.
NEAR_NUMBERS = st.sampled_from(
    [
        "0",
        "-0",
        "1/2",
        "0.5",
        "2,5",
        "0.001",
        "1e15",
        "1e400",
        "1000000000000",
        "999999999999.99",
        "99999999999",
        "10001",
        "2001",
        "-3",
        "NaN",
        "inf",
        "-inf",
        "١٢",
        "1_000",
        "9" * 70,
        "1e999999999",
    ]
)
JUNK_NUMBERS = st.one_of(
    NEAR_NUMBERS,
    NEAR_NUMBERS,
    st.integers(-(10**20), 10**20).map(str),
    st.floats().map(repr),
    st.text(max_size=6),
)
PLAIN_IDS = st.sampled_from(["a", "b", "c", "1", "2", "10"])
JUNK_IDS = st.one_of(
    st.sampled_from(["x" * 41, "y" * 65, "a,b", 'q"t', "é", "٣", "", " "]),
    st.text(max_size=5),
)
PLAIN_TEXTS = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters=';\n\r"'), max_size=12
)
JUNK_TEXTS = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["z" * 150_000, '"open', 'say "hi"', '"stray" quote', "a;b", "\r"]),
)
JUNK = st.one_of(JUNK_NUMBERS, JUNK_IDS, JUNK_TEXTS)
#: The junk each mutation writes: mostly what could pass for the value it replaces.
JUNK_FOR = {
    "meta": st.one_of(JUNK_NUMBERS, JUNK_NUMBERS, JUNK_TEXTS),
    "cost": JUNK_NUMBERS,
    "project id": JUNK_IDS,
    "text": JUNK_TEXTS,
    "voter id": JUNK_IDS,
    "vote": JUNK_IDS,
    "points": JUNK_NUMBERS,
}
#: Mutation kinds; those that reach the range checks are listed more than once.
MUTATIONS = (
    "meta",
    "meta",
    "cost",
    "cost",
    "points",
    "points",
    "project id",
    "voter id",
    "vote",
    "points",
    "text",
    "repeat line",
    "drop line",
    "extra field",
    "sections",
)


@st.composite
def pb_files(draw) -> bytes:
    """A valid file, then up to three mutations, each aimed at one place of it."""
    sections = draw(valid_sections())
    for _ in range(draw(st.integers(1, 2))):
        sections = _mutated(draw, draw(st.sampled_from(MUTATIONS)), sections)
    text = "\n".join(";".join(row) for section in sections for row in section) + "\n"
    data = text.encode()
    if draw(st.integers(0, 19)) == 13:
        data = draw(st.sampled_from([data + b"\xff\xfe", b"\xef\xbb\xbf" + data, data[:-7]]))
    return data


@st.composite
def valid_sections(draw) -> list[list[list[str]]]:
    vote_type = draw(st.sampled_from(["approval", "cumulative", "ordinal", "choose-1", "scoring"]))
    points = vote_type in ("cumulative", "scoring")
    ids = draw(st.lists(PLAIN_IDS, min_size=1, max_size=5, unique=True))
    meta = [["budget", str(draw(st.integers(50, 500)))], ["vote_type", vote_type]]
    if draw(st.booleans()):
        meta.append(["min_length", "1"])
        meta.append(["max_length", str(draw(st.integers(1, len(ids))))])
    if points and draw(st.booleans()):
        meta.append(["max_sum_points", "10"])
    meta.append(["unit", draw(PLAIN_TEXTS)])
    projects = [[pid, str(draw(st.integers(1, 300))), draw(PLAIN_TEXTS)] for pid in ids]
    votes = []
    for n in range(draw(st.integers(1, 5))):
        listed = draw(st.lists(st.sampled_from(ids), unique=True, min_size=1, max_size=len(ids)))
        row = [str(n), ",".join(listed)]
        if points:
            row.append(",".join(str(draw(st.integers(1, 5))) for _ in listed))
        votes.append(row)
    return [
        [["META"], ["key", "value"], *meta],
        [["PROJECTS"], ["project_id", "cost", "name"], *projects],
        [["VOTES"], ["voter_id", "vote", "points"] if points else ["voter_id", "vote"], *votes],
    ]


def _section(sections: list, marker: str) -> list:
    """The section introduced by ``marker`` (empty if a mutation dropped it)."""
    return next((s for s in sections if s and s[0] == [marker]), [])


def _mutated(draw, kind: str, sections: list) -> list:
    """``sections`` with one change of the ``kind`` (rows below the headers are data)."""
    meta = _section(sections, "META")
    projects = _section(sections, "PROJECTS")[2:]
    votes = _section(sections, "VOTES")[2:]
    if kind == "meta" and meta:
        key = draw(st.sampled_from(["budget", "min_length", "max_length", "max_sum_points"]))
        if all(row[0] != key for row in meta):
            meta.append([key, ""])
        for row in meta:
            if row[0] == key:
                row[1] = draw(JUNK_FOR[kind])
    elif kind in ("cost", "project id", "text") and projects:
        row = draw(st.sampled_from(projects))
        row[{"cost": 1, "project id": 0, "text": 2}[kind]] = draw(JUNK_FOR[kind])
    elif kind in ("voter id", "vote", "points") and votes:
        row = draw(st.sampled_from(votes))
        column = {"voter id": 0, "vote": 1, "points": 2}[kind]
        if column < len(row):
            row[column] = _junk_list(draw, row[column], JUNK_FOR[kind], kind != "points")
    elif kind in ("repeat line", "drop line", "extra field") and sections:
        section = draw(st.sampled_from(sections))
        at = draw(st.integers(0, len(section) - 1))
        if kind == "repeat line":
            section.insert(at, list(section[at]))
        elif kind == "drop line":
            section.pop(at)
        else:
            section[at] = [*section[at], draw(JUNK)]
    elif kind == "sections" and sections:
        how = draw(st.sampled_from(["drop", "repeat", "shuffle"]))
        if how == "drop":
            sections.pop(draw(st.integers(0, len(sections) - 1)))
        elif how == "repeat":
            sections.append([list(row) for row in draw(st.sampled_from(sections))])
        else:
            sections = draw(st.permutations(sections))
    return sections


def _junk_list(draw, listed: str, junk: st.SearchStrategy, longer: bool) -> str:
    """A comma-separated list with one item junk, or (if ``longer``) repeated or added."""
    items = listed.split(",") if listed else []
    how = draw(st.sampled_from(["junk", "repeat", "add"])) if longer else "junk"
    if how == "repeat" and items:
        items.append(draw(st.sampled_from(items)))
    elif how == "junk" and items:
        items[draw(st.integers(0, len(items) - 1))] = draw(junk)
    elif longer:
        items.append(draw(junk))
    return ",".join(items)


@pytest.mark.django_db
@settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=pb_files())
def test_an_import_succeeds_cleanly_or_names_the_line_of_each_problem(
    client, initiative, co_lead, data
):
    try:
        with transaction.atomic():
            _import_one(client, initiative, co_lead, data)
            raise _Undo  # every example starts from the same database
    except _Undo:
        pass


class _Undo(Exception):
    pass


def _import_one(client, initiative, co_lead, data: bytes) -> None:
    before = {model: model.objects.count() for model in MODELS}
    try:
        imported = budget_import_pabulib(
            actor=co_lead, initiative=initiative, data=data, slug="fuzzed", filename="f.pb"
        )
    except ValidationError as error:
        assert error.messages
        for message in error.messages:
            assert LINE.search(message) or message.startswith("…"), message
        assert {model: model.objects.count() for model in MODELS} == before
        event("refused")
        return
    event("imported")
    _pages_export_and_tally_work(client, initiative, co_lead, imported.budget)


def _pages_export_and_tally_work(client, initiative, co_lead, budget: Budget) -> None:
    services.budget_tally(actor=co_lead, budget=budget)
    assert budget_export_pabulib(budget, budget.areas.get()).startswith("META")
    client.force_login(co_lead)
    base = f"/initiatives/{initiative.slug}/budgets/{budget.slug}/"
    for url in (base, base + "results/"):
        assert client.get(url).status_code == 200, url
