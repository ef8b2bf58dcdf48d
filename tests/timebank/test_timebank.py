"""The timebank: double entry, limits, exchanges, and property tests of the invariants."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coproduce.timebank import selectors, services
from coproduce.timebank.models import Exchange, Movement, Timebank, TimebankAccount, Transfer
from factories import PersonFactory

MIN, MAX = Decimal("-5"), Decimal("8")


@pytest.fixture
def bank(initiative, co_lead):
    return services.timebank_open(
        actor=co_lead, initiative=initiative, min_balance=MIN, max_balance=MAX
    )


def accounts(bank, n):
    return [services.timebank_account_open(person=PersonFactory(), timebank=bank) for _ in range(n)]


def balances(*accounts):
    return [TimebankAccount.objects.get(pk=a.pk).balance for a in accounts]


@pytest.mark.django_db
def test_a_transfer_is_two_movements_summing_to_zero(bank, co_lead):
    alice, bob = accounts(bank, 2)
    transfer = services.timebank_transfer(actor=co_lead, payer=alice, payee=bob, hours="1.5")
    amounts = sorted(transfer.movements.values_list("amount", flat=True))
    assert amounts == [Decimal("-1.5"), Decimal("1.5")]
    assert balances(alice, bob) == [Decimal("-1.5"), Decimal("1.5")]
    assert selectors.timebank_check(bank).ok


@pytest.mark.django_db
def test_refused_transfers_change_nothing(bank, co_lead):
    alice, bob = accounts(bank, 2)
    for hours in ("0", "-2", "1.234", "x"):
        with pytest.raises(ValidationError):
            services.timebank_transfer(actor=co_lead, payer=alice, payee=bob, hours=hours)
    with pytest.raises(ValidationError, match="themselves"):
        services.timebank_transfer(actor=co_lead, payer=alice, payee=alice, hours="1")
    with pytest.raises(ValidationError, match="below"):
        services.timebank_transfer(actor=co_lead, payer=alice, payee=bob, hours="6")
    services.timebank_transfer(actor=co_lead, payer=alice, payee=bob, hours="5")
    carol = accounts(bank, 1)[0]
    services.timebank_transfer(actor=co_lead, payer=carol, payee=bob, hours="3")
    with pytest.raises(ValidationError, match="more than"):
        services.timebank_transfer(actor=co_lead, payer=carol, payee=bob, hours="1")
    assert balances(alice, bob, carol) == [Decimal("-5"), Decimal("8"), Decimal("-3")]
    assert Transfer.objects.count() == 2 and Movement.objects.count() == 4
    bank.is_active = False
    bank.save()
    with pytest.raises(ValidationError, match="closed"):
        services.timebank_transfer(actor=co_lead, payer=carol, payee=alice, hours="1")


@pytest.mark.django_db
def test_the_database_refuses_a_zero_movement_and_an_exchange_with_oneself(bank):
    (alice,) = accounts(bank, 1)
    transfer = Transfer.objects.create(timebank=bank, created_at="2026-01-01T10:00Z")
    with pytest.raises(IntegrityError), transaction.atomic():
        Movement.objects.create(transfer=transfer, account=alice, amount=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        Exchange.objects.create(
            timebank=bank,
            giver=alice,
            receiver=alice,
            hours=1,
            created_at="2026-01-01T10:00Z",
        )


@pytest.mark.django_db
def test_lower_limits_leave_balances_alone_but_they_can_only_move_back(bank, co_lead):
    alice, bob = accounts(bank, 2)
    services.timebank_transfer(actor=co_lead, payer=alice, payee=bob, hours="4")
    services.timebank_update(
        actor=co_lead,
        timebank=bank,
        min_balance=Decimal("-2"),
        max_balance=Decimal("2"),
        is_active=True,
    )
    assert balances(alice, bob) == [Decimal("-4"), Decimal("4")]
    with pytest.raises(ValidationError):
        services.timebank_transfer(actor=co_lead, payer=alice, payee=bob, hours="1")
    services.timebank_transfer(actor=co_lead, payer=bob, payee=alice, hours="1")
    with pytest.raises(ValidationError):
        services.timebank_update(
            actor=co_lead, timebank=bank, min_balance=Decimal("1"), max_balance=MAX, is_active=True
        )


@pytest.mark.django_db
def test_an_offer_answered_and_completed_moves_time_from_receiver_to_giver(bank, co_lead):
    giver, receiver, stranger = PersonFactory(), PersonFactory(), PersonFactory()
    offer = services.listing_create(
        person=giver, timebank=bank, kind="offer", category="repairs", title="Bike repairs"
    )
    with pytest.raises(ValidationError, match="themselves"):
        services.exchange_propose(actor=giver, listing=offer, hours="1")
    exchange = services.exchange_propose(actor=receiver, listing=offer, hours="2")
    assert (exchange.giver.person, exchange.receiver.person) == (giver, receiver)
    for person in (giver, stranger):
        with pytest.raises(PermissionDenied):
            services.exchange_complete(actor=person, exchange=exchange)
    services.exchange_complete(actor=receiver, exchange=exchange)
    exchange.refresh_from_db()
    assert exchange.status == "completed" and exchange.transfer is not None
    assert balances(exchange.giver, exchange.receiver) == [Decimal("2"), Decimal("-2")]
    with pytest.raises(ValidationError):
        services.exchange_complete(actor=receiver, exchange=exchange)
    # Answering a request: the one who answers gives.
    request = services.listing_create(
        person=receiver, timebank=bank, kind="request", category="company", title="A walk"
    )
    answer = services.exchange_propose(actor=stranger, listing=request, hours="1")
    assert (answer.giver.person, answer.receiver.person) == (stranger, receiver)
    services.exchange_cancel(actor=stranger, exchange=answer)
    assert Exchange.objects.get(pk=answer.pk).status == "cancelled"
    assert selectors.timebank_check(bank).ok


@pytest.mark.django_db
def test_the_check_finds_a_balance_changed_behind_the_ledgers_back(bank, co_lead):
    alice, bob = accounts(bank, 2)
    services.timebank_transfer(actor=co_lead, payer=alice, payee=bob, hours="1")
    TimebankAccount.objects.filter(pk=bob.pk).update(balance=Decimal("5"))
    report = selectors.timebank_check(bank)
    assert not report.ok
    assert report.mismatched_accounts == [bob.pk]


ACCOUNTS = 4
transfers = st.lists(
    st.tuples(
        st.integers(0, ACCOUNTS - 1),
        st.integers(0, ACCOUNTS - 1),
        st.decimals(min_value="0.25", max_value="6", places=2),
    ),
    max_size=25,
)


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(moves=transfers)
def test_any_sequence_of_transfers_keeps_the_double_entry_invariants(bank, co_lead, moves):
    """Whatever is attempted, accepted transfers match a simple model of the rules, every
    transfer sums to zero, cached balances equal their movements, all balances sum to zero and
    stay within the limits; refused transfers change nothing."""
    with transaction.atomic():
        people = accounts(bank, ACCOUNTS)
        model = [Decimal("0")] * ACCOUNTS
        for payer, payee, hours in moves:
            allowed = (
                payer != payee
                and model[payer] - hours >= bank.min_balance
                and model[payee] + hours <= bank.max_balance
            )
            try:
                services.timebank_transfer(
                    actor=co_lead, payer=people[payer], payee=people[payee], hours=hours
                )
            except ValidationError:
                assert not allowed
            else:
                assert allowed
                model[payer] -= hours
                model[payee] += hours
        assert balances(*people) == model
        report = selectors.timebank_check(bank)
        assert report.ok and not report.out_of_limits
        assert sum(model) == 0
        derived = Movement.objects.filter(account__in=people).aggregate(total=Sum("amount"))
        # SQLite sums decimals as floats: compare to the hundredth the ledger keeps.
        assert Decimal(derived["total"] or 0).quantize(Decimal("0.01")) == 0
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_timebank_limits_must_frame_zero(initiative, co_lead):
    with pytest.raises(ValidationError):
        services.timebank_open(
            actor=co_lead, initiative=initiative, min_balance=Decimal("2"), max_balance=MAX
        )
    assert not Timebank.objects.exists()


@pytest.mark.django_db
def test_balances_stay_exact_to_the_limit(bank, co_lead):
    """4.07 + 0.7 + 0.23 hours bring a balance exactly to the -5 limit, not a hair below it (a
    database summing in floating point would store -5.000000000000001)."""
    payer, payee = accounts(bank, 2)
    for hours in ("4.07", "0.7", "0.23"):
        services.timebank_transfer(actor=co_lead, payer=payer, payee=payee, hours=hours)
    report = selectors.timebank_check(bank)
    assert report.ok and not report.out_of_limits
    assert TimebankAccount.objects.filter(balance__lt=MIN).count() == 0
    assert TimebankAccount.objects.filter(balance=MIN).count() == 1
