"""The census importer with generated files: whatever the file, the answer is the number of voters
or a refusal naming lines (never an exception), and a refused file leaves the census as it was."""

import csv
import io

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coproduce.commissioning import services
from fuzzing import NASTY, fingerprint, junk_text

pytestmark = pytest.mark.django_db

EMAILS = ["ana@example.org", "BOB@example.org", "ana@example.org", "x" * 250 + "@example.org"]


@st.composite
def census_files(draw) -> bytes:
    header = draw(
        st.one_of(
            st.just(["email", "area"]),
            st.just(["Email "]),
            st.lists(st.sampled_from(["email", "area", "", "name"]), max_size=4),
        )
    )
    cell = st.one_of(st.sampled_from(EMAILS), st.sampled_from(NASTY), junk_text)
    rows = draw(st.lists(st.lists(cell, max_size=len(header) + 1), max_size=6))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    raw = out.getvalue().encode(draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16"])))
    return raw + draw(st.sampled_from([b"", b"\n\xff", b'\n"unclosed', b"\x00"]))


def test_a_census_with_an_overlong_field_is_refused_by_line(budget, co_lead):
    data = ("email,area\nana@example.org,Centre\n" + "bob@example.org," + "9" * 200_000).encode()
    with pytest.raises(ValidationError) as refused:
        services.census_upload(actor=co_lead, budget=budget, data=data)
    assert "Line 3" in " ".join(refused.value.messages)
    assert not budget.census.exists()


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(data=census_files())
def test_generated_census_files_never_break_the_importer(budget, co_lead, data):
    with transaction.atomic():
        before = fingerprint()
        try:
            voters = services.census_upload(actor=co_lead, budget=budget, data=data)
        except ValidationError as refused:
            assert all(message for message in refused.messages)
            assert fingerprint() == before
        else:
            assert budget.census.count() == voters
            assert all(len(entry.area) <= 120 for entry in budget.census.all())
        transaction.set_rollback(True)
