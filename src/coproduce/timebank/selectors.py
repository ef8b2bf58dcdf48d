"""Reads for the pages of the timebank.

Totals come from one aggregate query grouped in the database; Python only arranges the few
dozen grouped rows into tables.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet

from coproduce.initiatives.models import Initiative
from coproduce.ranges import wide_sum

from .models import (
    Exchange,
    Listing,
    Movement,
    Timebank,
    TimebankAccount,
)

ZERO = Decimal("0")
HUNDREDTH = Decimal("0.01")


def _cents(value) -> Decimal:
    """Aggregates come back from SQLite as binary floating point (its DECIMAL is REAL), so a
    sum of 0.25 and 0.41 may read -5.6e-17 instead of 0; round every sum to the hundredth that
    the ledger keeps."""
    return Decimal(value or 0).quantize(HUNDREDTH)


def timebank_of(initiative: Initiative) -> Timebank | None:
    return Timebank.objects.filter(initiative=initiative).first()


def account_of(person, timebank: Timebank | None) -> TimebankAccount | None:
    if timebank is None or not getattr(person, "is_authenticated", False):
        return None
    return TimebankAccount.objects.filter(timebank=timebank, person=person).first()


def timebank_listings(
    timebank: Timebank, *, kind: str = "", category: str = ""
) -> QuerySet[Listing]:
    qs = timebank.listings.filter(status=Listing.Status.OPEN).select_related("account__person")
    if kind:
        qs = qs.filter(kind=kind)
    if category:
        qs = qs.filter(category=category)
    return qs


def account_movements(account: TimebankAccount) -> QuerySet[Movement]:
    return account.movements.select_related("transfer", "transfer__exchange").order_by(
        "-transfer__created_at", "-transfer_id"
    )


def account_exchanges(account: TimebankAccount) -> QuerySet[Exchange]:
    return (
        Exchange.objects.filter(Q(giver=account) | Q(receiver=account))
        .select_related("giver__person", "receiver__person", "listing")
        .order_by("-created_at", "-id")
    )


def timebank_accounts(timebank: Timebank) -> QuerySet[TimebankAccount]:
    """Every account with its balance derived from the movements beside the cached one."""
    return (
        timebank.accounts.select_related("person")
        .annotate(derived=wide_sum("movements__amount", default=ZERO))
        .order_by("person__display_name", "id")
    )


@dataclass(frozen=True)
class TimebankReport:
    accounts: int
    total_balance: Decimal
    mismatched_accounts: list[int]
    unbalanced_transfers: list[int]
    out_of_limits: list[int]

    @property
    def ok(self) -> bool:
        return not (self.mismatched_accounts or self.unbalanced_transfers or self.total_balance)


def timebank_check(timebank: Timebank) -> TimebankReport:
    """Verify the double entry in the database: each transfer's movements sum to zero, each cached
    balance equals the sum of its movements, and all balances together sum to zero."""
    accounts = list(timebank_accounts(timebank))
    mismatched = [
        account.pk for account in accounts if _cents(account.balance) != _cents(account.derived)
    ]
    per_transfer = (
        Movement.objects.filter(transfer__timebank=timebank)
        .values("transfer_id")
        .annotate(total=wide_sum("amount"), n=Count("id"))
        .order_by()
    )
    unbalanced = [
        row["transfer_id"] for row in per_transfer if _cents(row["total"]) != 0 or row["n"] != 2
    ]
    outside = list(
        timebank.accounts.filter(
            Q(balance__lt=timebank.min_balance) | Q(balance__gt=timebank.max_balance)
        ).values_list("pk", flat=True)
    )
    total = _cents(timebank.accounts.aggregate(total=wide_sum("balance"))["total"])
    return TimebankReport(
        accounts=len(accounts),
        total_balance=total,
        mismatched_accounts=mismatched,
        unbalanced_transfers=unbalanced,
        out_of_limits=outside,
    )
