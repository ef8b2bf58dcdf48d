"""Ids from outside (a URL, a posted form, a query string) are parsed here and nowhere else.

An id is one to nineteen ASCII digits naming a number from 1 to 2**63 - 1, the range of the
database's id columns. Anything else names no object: in a URL the pattern does not match (404),
in a form :func:`posted_id` and :func:`posted_ids` refuse the request with a 400 that names the
field. Python's ``str.isdigit`` is true for "²" and "١٢", which ``int`` then refuses, and a number
past 64 bits overflows the database driver: both used to give server errors.

:class:`IntegerFieldIn` makes the database layer itself safe for a list of ids past the column's
range (a multiple-choice form field, a filter): such ids match nothing, as Django already does
for a single id.
"""

from django.core.exceptions import BadRequest
from django.db.models import IntegerField
from django.db.models.lookups import In
from django.http import QueryDict
from django.utils.translation import gettext as _

MAX_ID = 2**63 - 1
MAX_ID_DIGITS = len(str(MAX_ID))


def parse_id(value: object) -> int | None:
    """The id written in ``value``, or None when it names no possible object."""
    text = str(value).strip() if value is not None else ""
    if not text or len(text) > MAX_ID_DIGITS or not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


class IdConverter:
    """``<id:pk>`` in a URL pattern: an id as :func:`parse_id` reads it; anything else is a 404."""

    regex = f"[0-9]{{1,{MAX_ID_DIGITS}}}"

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            raise ValueError(value)  # the URL resolver reads this as "no match"
        return number

    def to_url(self, value: int | str) -> str:
        return str(value)


class InvalidInput(BadRequest):
    """A request whose input cannot be read, answered with a 400 that says which field is wrong
    (``coproduce.views.bad_request`` shows the message)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def _invalid(field: str) -> InvalidInput:
    return InvalidInput(
        field,
        _("“%(field)s” must name an item by its number (1 to %(max)s).")
        % {"field": field, "max": MAX_ID},
    )


def posted_id(data: QueryDict, field: str, *, required: bool = True) -> int | None:
    """The id in one field of a form (``request.POST`` or ``request.GET``)."""
    values = data.getlist(field)
    if not values or values == [""]:
        if required:
            raise InvalidInput(field, _("“%(field)s” is missing.") % {"field": field})
        return None
    if len(values) > 1:
        raise InvalidInput(field, _("“%(field)s” was sent more than once.") % {"field": field})
    number = parse_id(values[0])
    if number is None:
        raise _invalid(field)
    return number


def posted_ids(data: QueryDict, field: str) -> list[int]:
    """Every id sent in a repeated field (checkboxes), in order, without repeats."""
    numbers = []
    for value in data.getlist(field):
        number = parse_id(value)
        if number is None:
            raise _invalid(field)
        if number not in numbers:
            numbers.append(number)
    return numbers


class IntegerFieldIn(In):
    """``pk__in=[...]`` where the list may hold numbers past the column's range: they match
    nothing, instead of overflowing the database driver."""

    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            low, high = connection.ops.integer_field_range(
                self.lhs.output_field.get_internal_type()
            )
            self.rhs = [
                value
                for value in self.rhs
                if not isinstance(value, int)
                or ((low is None or value >= low) and (high is None or value <= high))
            ]
        return super().process_rhs(compiler, connection)


def register() -> None:
    """Install the id converter for URL patterns and the safe ``in`` lookup; called once, when
    the site's apps are ready."""
    from django.urls.converters import get_converters, register_converter

    if "id" not in get_converters():
        register_converter(IdConverter, "id")
    IntegerField.register_lookup(IntegerFieldIn)
