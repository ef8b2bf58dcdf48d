"""The contributions importer with generated timesheets: whatever the file, the answer is a report
(never an exception), a refused file records nothing, every problem names its line, and what is
recorded is within the ranges (at most 24 hours of time per entry)."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coproduce.ledger import services
from coproduce.ledger.models import Contribution
from coproduce.ranges import contribution_quantity
from fuzzing import NASTY, fingerprint, impossible_dates, numbers, unicode_digits

pytestmark = pytest.mark.django_db

COLUMNS = ["email", "date", "kind", "quantity", "capacity", "phase", "description", "task"]
KINDS = ["time", "hours", "money", "tools", "Rooms", "permits", "", "tíme", "x" * 20]


def _cell(real: list[str]):
    return st.one_of(st.sampled_from(real), st.sampled_from(NASTY), st.text(max_size=30))


@st.composite
def timesheets(draw, emails: list[str]) -> bytes:
    today = timezone.localdate()
    header = draw(
        st.one_of(
            st.just(COLUMNS[:4]),
            st.permutations(COLUMNS).map(list),
            st.lists(st.sampled_from(COLUMNS + ["", "extra", "Quantity "]), max_size=9),
        )
    )
    rows = []
    for _ in range(draw(st.integers(0, 6))):
        values = {
            "email": _cell(emails),
            "date": st.one_of(
                st.dates(max_value=today).map(str), impossible_dates, st.sampled_from(NASTY)
            ),
            "kind": st.sampled_from(KINDS),
            "quantity": st.one_of(
                st.decimals(min_value=0, max_value=30, places=2).map(str),
                st.sampled_from(["99999999999999", "24.01", "1e3", "1,5", "1 000"]),
                numbers,
                unicode_digits,
            ),
        }
        row = [draw(values.get(name, _cell(["", "citizen", "Deliver"]))) for name in header]
        extra = draw(st.lists(st.text(max_size=5), max_size=1))
        rows.append(row + extra)
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    text = out.getvalue()
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "latin-1", "utf-16"]))
    return text.encode(encoding, errors="replace") + draw(st.sampled_from([b"", b"\x00", b"\xff"]))


def test_a_timesheet_with_an_impossible_quantity_is_refused_by_line(initiative, co_lead, citizen):
    content = (
        "email,date,kind,quantity\n"
        f"{citizen.email},2026-01-05,time,2\n"
        f"{citizen.email},2026-01-06,time,99999999999999\n"
        f"{citizen.email},2026-01-07,time,25\n"
        f"{citizen.email},2026-01-07,money,2000000\n"
    ).encode()
    report = services.contribution_import(
        actor=co_lead, initiative=initiative, content=content, now=_now()
    )
    assert report.imported == 0
    text = [str(problem) for problem in report.problems]
    assert [problem.line for problem in report.problems] == [3, 4, 5]
    assert "24 hours" in text[1]
    assert not Contribution.objects.exists()


def _now() -> dt.datetime:
    return timezone.make_aware(dt.datetime(2026, 6, 1, 12))


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(data=st.data())
def test_generated_timesheets_never_break_the_importer(initiative, co_lead, citizen, data):
    content = data.draw(timesheets([citizen.email, co_lead.email, citizen.email.upper()]))
    skip = data.draw(st.booleans())
    with transaction.atomic():
        before = fingerprint()
        report = services.contribution_import(
            actor=co_lead, initiative=initiative, content=content, skip_bad_rows=skip, now=_now()
        )
        if report.imported == 0:
            assert fingerprint() == before
        for problem in report.problems:
            assert problem.line >= 0 and str(problem)
        for entry in Contribution.objects.filter(initiative=initiative):
            assert abs(entry.quantity) in contribution_quantity(entry.kind) or entry.quantity < 0
            assert entry.quantity <= Decimal(24) or entry.kind != "time"
        transaction.set_rollback(True)
