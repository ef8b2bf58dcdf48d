"""PostgreSQL, real threads, real transactions: no shift is ever over capacity and no timebank
transfer ever breaks the double entry, however the requests interleave."""

import random
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from coproduce.audit.selectors import audit_verify
from coproduce.delivery import services as delivery_services
from coproduce.delivery.models import Shift, ShiftSignup
from coproduce.timebank import selectors
from coproduce.timebank import services as timebank_services
from coproduce.timebank.models import TimebankAccount
from factories import (
    InitiativeFactory,
    ParticipationFactory,
    PersonFactory,
    ShiftFactory,
    TaskFactory,
)


def run_together(work, arguments):
    """Start one thread per argument at the same moment; re-raise the first unexpected error."""
    barrier = threading.Barrier(len(arguments))
    errors = []

    def target(argument):
        try:
            barrier.wait(timeout=30)
            work(argument)
        except Exception as error:  # noqa: BLE001 - reported to the test below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(argument,)) for argument in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    if errors:
        raise errors[0]


def assert_shift_consistent(shift):
    shift.refresh_from_db()
    booked = shift.signups.filter(status=ShiftSignup.Status.BOOKED).count()
    assert shift.booked == booked <= shift.capacity
    return booked


@pytest.mark.django_db(transaction=True)
def test_concurrent_sign_ups_never_overfill_a_shift(postgres_only):
    shift = ShiftFactory(task=TaskFactory(initiative=InitiativeFactory()), capacity=5)
    people = [PersonFactory() for _ in range(12)]
    run_together(lambda person: delivery_services.shift_sign_up(person=person, shift=shift), people)
    assert assert_shift_consistent(shift) == 5
    assert shift.signups.filter(status=ShiftSignup.Status.WAITING).count() == 7
    assert audit_verify().ok


@pytest.mark.django_db(transaction=True)
def test_concurrent_cancellations_and_sign_ups_keep_the_queue_right(postgres_only):
    shift = ShiftFactory(task=TaskFactory(initiative=InitiativeFactory()), capacity=5)
    first = [PersonFactory() for _ in range(8)]
    for person in first:
        delivery_services.shift_sign_up(person=person, shift=shift)
    booked = list(shift.signups.filter(status=ShiftSignup.Status.BOOKED))
    newcomers = [PersonFactory() for _ in range(6)]

    def act(item):
        kind, value = item
        if kind == "cancel":
            delivery_services.shift_signup_cancel(actor=value.person, signup=value)
        else:
            delivery_services.shift_sign_up(person=value, shift=shift)

    run_together(act, [("cancel", s) for s in booked[:4]] + [("join", p) for p in newcomers])
    # 8 + 6 people, 4 gone: 10 want a place, 5 have one, the rest wait in order.
    assert assert_shift_consistent(shift) == 5
    assert shift.signups.filter(status=ShiftSignup.Status.WAITING).count() == 5
    waiting_first = first[5:]  # the three who waited before the race were promoted first
    promoted = set(
        shift.signups.filter(status="booked", person__in=waiting_first).values_list(
            "person_id", flat=True
        )
    )
    assert promoted == {p.pk for p in waiting_first}
    assert audit_verify().ok


@pytest.mark.django_db(transaction=True)
def test_concurrent_transfers_never_break_the_double_entry(postgres_only):
    initiative = InitiativeFactory()
    lead = ParticipationFactory(initiative=initiative, role="co_lead").person
    bank = timebank_services.timebank_open(
        actor=lead, initiative=initiative, min_balance=Decimal("-3"), max_balance=Decimal("3")
    )
    accounts = [
        timebank_services.timebank_account_open(person=PersonFactory(), timebank=bank)
        for _ in range(4)
    ]
    outcomes = {"done": 0, "refused": 0}
    lock = threading.Lock()

    def hammer(seed):
        rng = random.Random(seed)
        for _ in range(25):
            payer, payee = rng.sample(accounts, 2)
            hours = Decimal(rng.choice(["0.5", "1", "1.5", "2"]))
            try:
                timebank_services.timebank_transfer(
                    actor=lead, payer=payer, payee=payee, hours=hours
                )
            except ValidationError:
                key = "refused"
            else:
                key = "done"
            with lock:
                outcomes[key] += 1

    run_together(hammer, list(range(8)))
    assert outcomes["done"] + outcomes["refused"] == 200
    assert outcomes["done"] > 0 and outcomes["refused"] > 0
    report = selectors.timebank_check(bank)
    assert report.ok, report
    assert not report.out_of_limits
    balances = TimebankAccount.objects.filter(timebank=bank).values_list("balance", flat=True)
    assert sum(balances) == 0
    assert all(Decimal("-3") <= balance <= Decimal("3") for balance in balances)
    assert bank.transfers.count() == outcomes["done"]
    assert audit_verify().ok


@pytest.mark.django_db(transaction=True)
def test_the_shift_row_lock_is_what_serialises(postgres_only):
    """A cross-check of the design: the counter only ever moves under the row lock, so the
    sum of booked places equals the counter after a storm of mixed operations."""
    shift = ShiftFactory(task=TaskFactory(initiative=InitiativeFactory()), capacity=3)
    people = [PersonFactory() for _ in range(10)]

    def churn(person):
        signup = delivery_services.shift_sign_up(person=person, shift=shift)
        if person.pk % 2:
            delivery_services.shift_signup_cancel(actor=person, signup=signup)

    run_together(churn, people)
    assert assert_shift_consistent(shift) == min(3, len([p for p in people if not p.pk % 2]))
    assert Shift.objects.get(pk=shift.pk).booked <= 3
