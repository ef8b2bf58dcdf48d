"""The budget's own checks of its numbers: exact amounts and whole numbers as a ``.pb`` file
gives them (fractions, cents), the ids a file carries.

The ranges themselves live in :mod:`coproduce.ranges` with every other range of the site, so
the models (validators and CHECK constraints), the forms, the ``.pb`` importer and the services
refuse the same numbers, and whatever one way in accepts every page, the export and the tally
can show and compute.
"""

from decimal import Decimal, InvalidOperation
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext as _

from coproduce.ranges import BALLOT_POINTS, PROJECT_COST, PROJECTS_PER_BALLOT

MONEY_DIGITS = 14
MONEY_PLACES = 2
MIN_MONEY = PROJECT_COST.low
MAX_MONEY = PROJECT_COST.high
MAX_POINTS = int(BALLOT_POINTS.high)
MAX_PROJECTS = int(PROJECTS_PER_BALLOT.high)

#: Lengths of the ids an imported file carries (columns ``Proposal.code``, ``Ballot.voter_code``).
PROJECT_CODE_LENGTH = 40
VOTER_CODE_LENGTH = 64


def points_validators() -> list:
    return [MinValueValidator(1), MaxValueValidator(MAX_POINTS)]


def projects_validators(minimum: int) -> list:
    return [MinValueValidator(minimum), MaxValueValidator(MAX_PROJECTS)]


def money_problem(value: object) -> str | None:
    """Why ``value`` (a Decimal, int, exact Fraction or text) is not an amount a budget can
    hold, or ``None`` when it is."""
    if isinstance(value, Fraction):
        cents = value * 100
        if cents.denominator != 1:
            return _places()
        value = Decimal(cents.numerator).scaleb(-MONEY_PLACES)
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return _("is not an amount of money")
    if not amount.is_finite():
        return _("is not an amount of money")
    if not MIN_MONEY <= amount <= MAX_MONEY:
        return _("must be between %(min)s and %(max)s") % {
            "min": MIN_MONEY,
            "max": f"{MAX_MONEY:,}",
        }
    if amount != amount.quantize(MIN_MONEY):
        return _places()
    return None


def _places() -> str:
    return _("has more than %(places)d decimal places") % {"places": MONEY_PLACES}


def whole_problem(value: object, minimum: int, maximum: int) -> str | None:
    """Why ``value`` is not a whole number from ``minimum`` to ``maximum``, or ``None``."""
    if isinstance(value, Fraction) and value.denominator == 1:
        value = value.numerator
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        return _("must be a whole number from %(min)d to %(max)d") % {
            "min": minimum,
            "max": maximum,
        }
    return None


def check_money(value: object, label: str) -> None:
    """Refuse, with a ``ValidationError`` naming ``label``, an amount a budget cannot hold."""
    problem = money_problem(value)
    if problem:
        raise ValidationError(f"{label} {problem}.")
