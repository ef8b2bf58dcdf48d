"""The range of every number a person or a file can enter, defined once.

Each :class:`Range` gives the validators that models and forms declare, the message that
importers and services give, and the condition of the database's CHECK constraint behind them, so
that the form, the importer, the service and the table all refuse the same numbers. The limits
fit both the column (its digits) and the meaning (a contribution of time is a day's work at most).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import DecimalField, Q, Sum
from django.utils.formats import number_format
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Range:
    low: Decimal
    high: Decimal

    def __contains__(self, value: object) -> bool:
        try:
            return self.low <= value <= self.high
        except TypeError:
            return False

    def validators(self) -> list:
        return [MinValueValidator(self.low), MaxValueValidator(self.high)]

    def problem(self, value: Decimal | int) -> str | None:
        """Why ``value`` is out of range, for a person (None when it is within)."""
        if value in self:
            return None
        return _("Enter a number from %(low)s to %(high)s.") % {
            "low": number_format(self.low, force_grouping=True),
            "high": number_format(self.high, force_grouping=True),
        }

    def condition(self, field: str) -> Q:
        """The CHECK constraint's condition (a NULL passes; nullability is the column's)."""
        return Q(**{f"{field}__gte": self.low, f"{field}__lte": self.high})

    def form_bounds(self) -> dict:
        """``min_value`` and ``max_value`` for a form field declared without the model."""
        return {"min_value": self.low, "max_value": self.high}


def has_places(amount: Decimal, places: int = 2) -> bool:
    """Whether a finite number has at most ``places`` decimals (1.50 has two). Read from the
    digits: ``quantize`` would fail on a number as large as 1e400."""
    _sign, digits, exponent = amount.as_tuple()
    while exponent < -places and digits and digits[-1] == 0:
        digits, exponent = digits[:-1], exponent + 1
    return exponent >= -places


def _range(low, high) -> Range:
    return Range(Decimal(str(low)), Decimal(str(high)))


# Contributions to the ledger: one entry per person, day and kind. -------------------------------
#: Hours in one entry of time: a day at most.
HOURS_PER_ENTRY = _range("0.01", 24)
#: The quantity of one entry, by kind of contribution: hours, money, units of anything else.
CONTRIBUTION_QUANTITY = {
    "time": HOURS_PER_ENTRY,
    "money": _range("0.01", 1_000_000),
}
OTHER_QUANTITY = _range("0.01", 10_000)
#: What one unit of a kind is worth (replacement cost), and so what one entry can be worth.
VALUATION_RATE = _range(0, 100_000)
CONTRIBUTION_VALUE = _range(0, 10_000_000_000)


def contribution_quantity(kind: str) -> Range:
    return CONTRIBUTION_QUANTITY.get(kind, OTHER_QUANTITY)


def contribution_quantity_problem(kind: str, quantity: Decimal) -> str | None:
    """Why a (positive) quantity is out of range for its kind, for a form, a file or a service."""
    allowed = contribution_quantity(kind)
    if quantity in allowed:
        return None
    if kind == "time":
        return _("One entry of time is at most 24 hours; record each day on its own.")
    return _("Enter a quantity from %(low)s to %(high)s.") % {
        "low": number_format(allowed.low, force_grouping=True),
        "high": number_format(allowed.high, force_grouping=True),
    }


def contribution_quantity_condition(field: str = "quantity", kind: str = "kind") -> Q:
    """Each kind's range, for entries and for their reversals (the same quantity, negated)."""
    condition = Q()
    for name, allowed in CONTRIBUTION_QUANTITY.items():
        condition |= Q(**{kind: name}) & _either_sign(field, allowed)
    others = ~Q(**{f"{kind}__in": list(CONTRIBUTION_QUANTITY)})
    return condition | (others & _either_sign(field, OTHER_QUANTITY))


def _either_sign(field: str, allowed: Range) -> Q:
    return Q(**{f"{field}__gte": -allowed.high, f"{field}__lte": allowed.high})


# Co-delivery and the timebank. -----------------------------------------------------------------
#: Hours confirmed for one sign-up to a shift, and hours of one timebank exchange.
SHIFT_HOURS = _range("0.25", 24)
EXCHANGE_HOURS = _range("0.25", 24)
SHIFT_PLACES = _range(1, 500)
REQUIREMENT_VALID_DAYS = _range(1, 3650)
#: A timebank's lowest and highest balance: how many hours a member may owe or hold.
TIMEBANK_MIN_BALANCE = _range(-1000, 0)
TIMEBANK_MAX_BALANCE = _range(0, 1000)

# Participatory budgets. -------------------------------------------------------------------------
#: Money of a budget's heading and of one project (estimated or reviewed cost), in the budget's
#: currency, with cents: the columns hold 14 digits, 2 after the point. Far beyond any budget in
#: euros, but currencies with small units (forint, rupiah) need large numbers.
BUDGET_AMOUNT = _range("0.01", "999999999999.99")
PROJECT_COST = BUDGET_AMOUNT
#: Projects a ballot may or must choose (the largest real votes have about 200 projects).
PROJECTS_PER_BALLOT = _range(0, 2_000)
#: Points a voter may give on a cumulative ballot (real votes give 5 or 10; 10,000 leaves room
#: for scoring scales without letting sums of points overflow an integer column).
BALLOT_POINTS = _range(1, 10_000)
BALLOT_RANK = _range(1, 10_000)
MINIMUM_AGE = _range(0, 120)
PROGRESS_PERCENT = _range(0, 100)

# Reports of problems. ---------------------------------------------------------------------------
QUESTION_ORDER = _range(0, 1000)
#: The answer to a question asking for a number.
ANSWER_NUMBER = _range(-1_000_000_000_000, 1_000_000_000_000)


def wide_sum(field: str, **extra) -> Sum:
    """A sum of many in-range entries, read with room for more digits than one entry's column
    (SQLite's driver would refuse a sum wider than the column)."""
    return Sum(field, output_field=DecimalField(max_digits=30, decimal_places=2), **extra)
