"""Files that pabutools reads although they are not clean give pabutools' outcomes here too.

The public library has two such irregularities (a vote listing a project twice, a stray quote
in a quoted field): the reader reads them as pabutools does and warns. These tests compare the
parsed elections and the outcomes of every rule with pabutools 1.2.3 itself, on the real file
Poland_Czestochowa_2020_Grabowka (a stray quote) and on generated files with both.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coproduce.methods.pb import pabulib
from coproduce.methods.pb.rules import tally
from methods.pb.pb_testdata import HERE

pabutools = pytest.importorskip("pabutools")

from pabutools.election import (  # noqa: E402
    Additive_Cardinal_Sat,
    Cardinality_Sat,
    Cost_Sat,
    parse_pabulib,
)
from pabutools.election.pabulib import parse_pabulib_from_string  # noqa: E402
from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares  # noqa: E402

GRABOWKA = HERE / "samples" / "Poland_Czestochowa_2020_Grabowka.pb"
SATS = {"cost": Cost_Sat, "cardinality": Cardinality_Sat, "points": Additive_Cardinal_Sat}


def _same_election(ours: pabulib.Election, instance, profile) -> None:
    assert ours.budget == instance.budget_limit
    assert {p.project_id: p.cost for p in ours.projects} == {p.name: p.cost for p in instance}
    assert len(ours.ballots) == len(profile)
    for mine, theirs in zip(ours.ballots, profile, strict=True):
        if ours.vote_type == "cumulative":
            assert dict(zip(mine.projects, mine.points or (), strict=True)) == {
                p.name: v for p, v in theirs.items()
            }
        elif ours.vote_type == "ordinal":
            assert list(mine.projects) == [p.name for p in theirs]
        else:
            assert set(mine.projects) == {p.name for p in theirs}


def _same_outcomes(ours: pabulib.Election, instance, profile) -> None:
    utilities = ["cost", "cardinality", "points"] if ours.vote_type == "cumulative" else ["cost"]
    for utility in utilities:
        sat = SATS[utility]
        mes = method_of_equal_shares(instance, profile, sat_class=sat)
        assert sorted(tally(ours, "mes", utility).selected) == sorted(p.name for p in mes)
        greedy = greedy_utilitarian_welfare(instance, profile, sat_class=sat)
        assert sorted(tally(ours, "greedy", utility).selected) == sorted(p.name for p in greedy)


def test_real_file_with_a_stray_quote_gives_pabutools_outcomes() -> None:
    ours = pabulib.parse_file(GRABOWKA)
    instance, profile = parse_pabulib(str(GRABOWKA))
    assert ours.project("47").name == instance.project_meta[instance.get_project("47")]["name"]
    _same_election(ours, instance, profile)
    _same_outcomes(ours, instance, profile)


@st.composite
def irregular_files(draw) -> tuple[str, int]:
    """A small ``.pb`` text with votes listing projects twice and names with stray quotes;
    also the number of irregular lines written."""
    vote_type = draw(st.sampled_from(["approval", "cumulative", "ordinal"]))
    n_projects = draw(st.integers(1, 5))
    costs = [draw(st.integers(1, 12)) for _ in range(n_projects)]
    lines = ["META", "key;value", f"budget;{draw(st.integers(1, 30))}", f"vote_type;{vote_type}"]
    lines += ["PROJECTS", "project_id;cost;name"]
    irregular = 0
    for pid, cost in enumerate(costs):
        if draw(st.booleans()):
            lines.append(f'{pid};{cost};"Park" number {pid}')  # a stray quote
            irregular += 1
        else:
            lines.append(f"{pid};{cost};Park {pid}")
    lines += ["VOTES", "voter_id;vote;points" if vote_type == "cumulative" else "voter_id;vote"]
    for voter in range(draw(st.integers(1, 8))):
        listed = draw(st.lists(st.integers(0, n_projects - 1), min_size=1, max_size=6))
        irregular += len(set(listed)) != len(listed)
        row = f"{voter};{','.join(map(str, listed))}"
        if vote_type == "cumulative":
            row += ";" + ",".join(str(draw(st.integers(1, 5))) for _ in listed)
        lines.append(row)
    return "\n".join(lines) + "\n", irregular


@settings(max_examples=60, deadline=None, derandomize=True)
@given(irregular_files())
def test_irregular_files_give_pabutools_outcomes(generated: tuple[str, int]) -> None:
    text, irregular = generated
    ours = pabulib.parse(text)
    assert len(ours.warnings) == irregular
    instance, profile = parse_pabulib_from_string(text)
    _same_election(ours, instance, profile)
    if ours.vote_type != "ordinal":  # pabutools' rules need approvals or points
        _same_outcomes(ours, instance, profile)
    if irregular:
        with pytest.raises(pabulib.PabulibError, match="strict mode"):
            pabulib.parse(text, strict=True)
