from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

import coproduce.demo
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
    )
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
    )
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
