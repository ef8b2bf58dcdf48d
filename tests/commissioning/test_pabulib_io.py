from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

import coproduce.demo
from coproduce.commissioning import services
from coproduce.commissioning.models import Ballot, Budget, Proposal
from coproduce.commissioning.pabulib_io import budget_export_pabulib, budget_import_pabulib
from coproduce.methods.pb import pabulib

TOULOUSE = Path(coproduce.demo.__file__).parent / "elections" / "France_Toulouse_2022.pb"

SMALL = """META
key;value
description;Test election
unit;Testville
budget;100
vote_type;cumulative
max_sum_points;5
PROJECTS
project_id;cost;name
a;60;Benches
b;50;Trees
VOTES
voter_id;vote;points
1;a,b;3,2
2;b;5
"""


@pytest.mark.django_db
def test_a_real_election_is_imported_with_every_ballot(initiative, co_lead):
    budget = budget_import_pabulib(
        actor=co_lead,
        initiative=initiative,
        data=TOULOUSE.read_bytes(),
        filename=TOULOUSE.name,
        slug="toulouse-2022",
    ).budget
    assert budget.stage == Budget.Stage.CLOSED
    assert budget.ballots.count() == 4532
    assert budget.proposals.filter(status=Proposal.Status.FEASIBLE).count() == 199
    assert (budget.min_projects, budget.max_projects) == (1, 3)
    assert str(budget.areas.get().amount) == "8000000.00"
    assert budget.source == TOULOUSE.name
    assert not Ballot.objects.exclude(channel="import").exists()


@pytest.mark.django_db
def test_import_then_export_gives_the_same_election(initiative, co_lead):
    budget = budget_import_pabulib(
        actor=co_lead, initiative=initiative, data=SMALL.encode(), slug="small"
    ).budget
    assert budget.ballot_type == Budget.BallotType.CUMULATIVE and budget.max_points == 5
    exported = pabulib.parse(budget_export_pabulib(budget, budget.areas.get()))
    original = pabulib.parse(SMALL)
    assert exported.budget == original.budget == 100
    assert {(p.project_id, p.cost) for p in exported.projects} == {
        (p.project_id, p.cost) for p in original.projects
    }
    assert sorted((b.voter_id, b.projects, b.points) for b in exported.ballots) == sorted(
        (b.voter_id, b.projects, b.points) for b in original.ballots
    )


@pytest.mark.django_db
def test_a_malformed_file_names_the_line_and_imports_nothing(initiative, co_lead):
    broken = SMALL.replace("b;50;Trees", "b;fifty;Trees")
    with pytest.raises(ValidationError) as error:
        budget_import_pabulib(
            actor=co_lead,
            initiative=initiative,
            data=broken.encode(),
            slug="broken",
            filename="x.pb",
        )
    assert "line 11" in error.value.messages[0]
    assert not Budget.objects.exists()


@pytest.mark.django_db
def test_import_page_reports_errors_and_keeps_the_form(client, initiative, co_lead):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(co_lead)
    response = client.post(
        f"/initiatives/{initiative.slug}/budgets/import/",
        {"slug": "x", "title": "Kept title", "file": SimpleUploadedFile("x.pb", b"not a pb file")},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "line 1" in page and "Kept title" in page


# --------------------------------------------------------------------------- ranges

APPROVAL = """META
key;value
budget;100
vote_type;approval
min_length;1
max_length;2
PROJECTS
project_id;cost;name
a;60;Benches
b;50;Trees
c;30;Lights
VOTES
voter_id;vote
1;a,b
2;b
"""


def _line(text: str, lineno: int, new: str) -> str:
    lines = text.split("\n")
    lines[lineno - 1] = new
    return "\n".join(lines)


OUT_OF_RANGE = [
    # (description, file, line, fragment)
    ("budget 1e400", _line(APPROVAL, 3, "budget;1e400"), 3, "budget"),
    ("budget 1e15", _line(APPROVAL, 3, "budget;1e15"), 3, "must be between"),
    ("budget NaN", _line(APPROVAL, 3, "budget;NaN"), 3, "not a number"),
    ("budget inf", _line(APPROVAL, 3, "budget;inf"), 3, "not a number"),
    ("budget zero", _line(APPROVAL, 3, "budget;0"), 3, "must be between"),
    ("budget in tenths of cents", _line(APPROVAL, 3, "budget;100.001"), 3, "decimal places"),
    ("min_length -3", _line(APPROVAL, 5, "min_length;-3"), 5, "min_length '-3' must be"),
    ("min_length 1.5", _line(APPROVAL, 5, "min_length;1.5"), 5, "whole number"),
    ("max_length 0", _line(APPROVAL, 6, "max_length;0"), 6, "max_length '0' must be"),
    ("max_length word", _line(APPROVAL, 6, "max_length;two"), 6, "max_length 'two'"),
    ("min above max", _line(APPROVAL, 5, "min_length;3"), 5, "more than max_length 2"),
    ("cost 10^15", _line(APPROVAL, 9, "a;1000000000000000;Benches"), 9, "cost 1000000000000000"),
    ("negative cost", _line(APPROVAL, 9, "a;-60;Benches"), 9, "negative"),
    ("zero cost", _line(APPROVAL, 9, "a;0;Benches"), 9, "must be between"),
    ("cost a third", _line(APPROVAL, 9, "a;1/3;Benches"), 9, "decimal places"),
    ("unicode digits", _line(APPROVAL, 9, "a;٦٠;Benches"), 9, "not a number"),
    (
        "long project id",
        _line(_line(APPROVAL, 9, "a" * 41 + ";60;Benches"), 14, "1;b"),
        9,
        "longer than 40",
    ),
    ("long voter id", _line(APPROVAL, 14, "v" * 65 + ";b"), 14, "longer than 64"),
    (
        "no projects",
        APPROVAL.replace("a;60;Benches\nb;50;Trees\nc;30;Lights\n", "").replace(
            "1;a,b\n2;b\n", "1;\n"
        ),
        7,
        "no projects",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "line", "fragment"), [pytest.param(t, n, f, id=d) for d, t, n, f in OUT_OF_RANGE]
)
def test_a_number_out_of_range_is_refused_naming_its_line(
    initiative, co_lead, text, line, fragment
):
    from coproduce.audit.models import AuditEntry

    entries = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as error:
        budget_import_pabulib(
            actor=co_lead, initiative=initiative, data=text.encode(), slug="x", filename="x.pb"
        )
    message = " ".join(error.value.messages)
    assert f"x.pb: line {line}: " in message and fragment in message, message
    assert not Budget.objects.exists()
    assert AuditEntry.objects.count() == entries


CUMULATIVE_POINTS = [
    ("1/2", "points 0.5 of voter '1'"),
    ("0", "points 0 of voter '1'"),
    ("99999999999", "points 99999999999"),
    ("-1", "negative"),
    ("NaN", "not a number"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("points", "fragment"), CUMULATIVE_POINTS)
def test_points_must_be_whole_numbers_within_the_range(initiative, co_lead, points, fragment):
    broken = SMALL.replace("1;a,b;3,2", f"1;a,b;{points},2")
    with pytest.raises(ValidationError) as error:
        budget_import_pabulib(
            actor=co_lead, initiative=initiative, data=broken.encode(), slug="x", filename="x.pb"
        )
    message = " ".join(error.value.messages)
    assert "x.pb: line 14: " in message and fragment in message, message
    assert not Budget.objects.exists()


@pytest.mark.django_db
def test_a_long_list_of_problems_is_cut_short(initiative, co_lead):
    many = SMALL + "".join(f"{n};a;0\n" for n in range(3, 40))
    with pytest.raises(ValidationError) as error:
        budget_import_pabulib(
            actor=co_lead, initiative=initiative, data=many.encode(), slug="x", filename="x.pb"
        )
    assert len(error.value.messages) == 21
    assert "17 more problems" in error.value.messages[-1]


@pytest.mark.django_db
def test_cumulative_file_without_points_limit_takes_its_largest_ballot(initiative, co_lead):
    no_limit = SMALL.replace("max_sum_points;5\n", "")
    budget = budget_import_pabulib(
        actor=co_lead, initiative=initiative, data=no_limit.encode(), slug="x"
    ).budget
    assert budget.max_points == 5


@pytest.mark.django_db
def test_a_maximum_at_least_the_number_of_projects_is_no_maximum(initiative, co_lead):
    loose = APPROVAL.replace("max_length;2", "max_length;5")
    budget = budget_import_pabulib(
        actor=co_lead, initiative=initiative, data=loose.encode(), slug="x"
    ).budget
    assert (budget.min_projects, budget.max_projects) == (1, None)


LARGEST = """META
key;value
description;The largest numbers a budget holds
unit;Bigtown
budget;999999999999.99
vote_type;cumulative
max_sum_points;10000
PROJECTS
project_id;cost;name
{long_id};999999999999.99;Everything
small;0.01;A pin
half;500000000000;Half of it
VOTES
voter_id;vote;points
{long_voter};{long_id},small;9999,1
2;small,half;1,9999
3;half;10000
"""


@pytest.mark.django_db
def test_the_largest_allowed_values_keep_pages_export_and_tally_working(
    client, initiative, co_lead
):
    long_id, long_voter = "P" * 40, "V" * 64
    text = LARGEST.format(long_id=long_id, long_voter=long_voter)
    budget = budget_import_pabulib(
        actor=co_lead, initiative=initiative, data=text.encode(), slug="largest"
    ).budget
    (result,) = services.budget_tally(actor=co_lead, budget=budget)
    assert sorted(result.explanation["selected"]) == ["half", "small"]
    base = f"/initiatives/{initiative.slug}/budgets/largest/"
    client.force_login(co_lead)
    for url in (
        base,
        base + "results/",
        base + "projects/small/",
        base + f"projects/{long_id}/",
        "/budgets/",
        f"/initiatives/{initiative.slug}/",
    ):
        assert client.get(url).status_code == 200, url
    services.budget_advance(actor=co_lead, budget=budget, to_stage=Budget.Stage.PUBLISHED)
    for url in (base, base + "results/"):
        assert client.get(url).status_code == 200, url
    client.logout()
    exported = client.get(base + "export.pb")
    assert exported.status_code == 200
    again = pabulib.parse(exported.content.decode())
    original = pabulib.parse(text)
    assert again.budget == original.budget
    assert {(p.project_id, p.cost) for p in again.projects} == {
        (p.project_id, p.cost) for p in original.projects
    }
    assert sorted((b.voter_id, b.points) for b in again.ballots) == sorted(
        (b.voter_id, b.points) for b in original.ballots
    )


# --------------------------------------------------------------------------- irregular real files

GRABOWKA = (
    Path(__file__).parents[1] / "methods" / "pb" / "samples" / "Poland_Czestochowa_2020_Grabowka.pb"
)


@pytest.mark.django_db
def test_a_real_file_with_a_stray_quote_is_imported_with_a_warning(initiative, co_lead):
    imported = budget_import_pabulib(
        actor=co_lead,
        initiative=initiative,
        data=GRABOWKA.read_bytes(),
        filename=GRABOWKA.name,
        slug="grabowka",
    )
    assert imported.budget.ballots.count() == 201
    (warning,) = imported.warnings
    assert warning.startswith(f"{GRABOWKA.name}: line 29: stray quote")
    assert imported.budget.proposals.get(code="47").title.startswith("Odkupmy i my")
    with pytest.raises(ValidationError, match="line 29: stray quote.*strict"):
        budget_import_pabulib(
            actor=co_lead,
            initiative=initiative,
            data=GRABOWKA.read_bytes(),
            filename=GRABOWKA.name,
            slug="grabowka-strict",
            strict=True,
        )


@pytest.mark.django_db
def test_imported_irregular_file_gives_the_pabutools_outcome(initiative, co_lead):
    pytest.importorskip("pabutools")
    from pabutools.election import Cost_Sat
    from pabutools.election.pabulib import parse_pabulib_from_string
    from pabutools.rules import (
        completion_by_rule_combination,
        greedy_utilitarian_welfare,
        method_of_equal_shares,
    )

    twice = GRABOWKA.read_text(encoding="utf-8").replace(
        "\n35;196,198;6,4\n", "\n35;196,198,196;6,4,1\n"
    )
    budget = budget_import_pabulib(
        actor=co_lead, initiative=initiative, data=twice.encode(), slug="g"
    ).budget
    (result,) = services.budget_tally(actor=co_lead, budget=budget)
    instance, profile = parse_pabulib_from_string(twice)
    theirs = completion_by_rule_combination(
        instance,
        profile,
        [method_of_equal_shares, greedy_utilitarian_welfare],
        [{"sat_class": Cost_Sat, "voter_budget_increment": 1}, {"sat_class": Cost_Sat}],
    )
    assert sorted(result.explanation["selected"]) == sorted(p.name for p in theirs)


@pytest.mark.django_db
def test_import_page_shows_the_irregularities_and_strict_refuses(client, initiative, co_lead):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(co_lead)
    url = f"/initiatives/{initiative.slug}/budgets/import/"
    strict = client.post(
        url,
        {"slug": "g", "strict": "on", "file": SimpleUploadedFile("g.pb", GRABOWKA.read_bytes())},
    )
    assert strict.status_code == 400
    assert "line 29" in strict.content.decode() and not Budget.objects.exists()
    response = client.post(
        url, {"slug": "g", "file": SimpleUploadedFile("g.pb", GRABOWKA.read_bytes())}, follow=True
    )
    page = response.content.decode()
    assert response.status_code == 200 and "g.pb: line 29: stray quote" in page


@pytest.mark.django_db
def test_import_command_reports_warnings_and_strict_refuses(initiative, co_lead, capsys):
    from django.core.management import CommandError, call_command

    command = ["import_pabulib", initiative.slug, str(GRABOWKA), "--as", co_lead.email]
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command(*command, "--slug", "g1", "--strict")
    assert "line 29" in capsys.readouterr().err
    call_command(*command, "--slug", "g2")
    out = capsys.readouterr()
    assert "warning: Poland_Czestochowa_2020_Grabowka.pb: line 29" in out.err
    assert "201 ballots, 1 warning(s)" in out.out
