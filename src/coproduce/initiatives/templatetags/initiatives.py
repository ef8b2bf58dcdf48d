"""Template filters of the co-delivery pages."""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def amount(value) -> str:
    """Hours or units as people write them: 2.5 not 2.50, 3 not 3.00, grouped and localised."""
    try:
        number = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        return ""
    if number == number.to_integral_value():
        number = number.quantize(Decimal("1"))
    elif number * 10 == (number * 10).to_integral_value():
        number = number.quantize(Decimal("0.1"))
    return number_format(number, use_l10n=True, force_grouping=True)
