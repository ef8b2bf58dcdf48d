"""What a contribution was for: an activity of a stage component (a co-delivery task or shift;
later a co-design workshop or a co-assessment survey round).

The ledger sits below the stage components and imports none of them. A contribution names its
activity by a generic link (content type and id), and a component that has activities registers
them here from its ``AppConfig.ready()``: which of its objects a person may pick when recording
a contribution or importing a timesheet. An activity object needs only ``initiative_id``, a
``str()`` and ``get_absolute_url()``.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import models

Chooser = Callable[[object], models.QuerySet]  # initiative -> the activities to pick from


@dataclass(frozen=True)
class ActivitySource:
    """One kind of activity a component offers, e.g. co-delivery's open tasks."""

    model: type[models.Model]
    choices: Chooser


_sources: list[ActivitySource] = []


def register_activity_source(source: ActivitySource) -> None:
    if source not in _sources:
        _sources.append(source)


def _key(activity: models.Model) -> str:
    return f"{activity._meta.label_lower}:{activity.pk}"


def activity_choices(initiative) -> list[tuple[str, str]]:
    """(key, label) of every activity a contribution to this initiative may name."""
    return [
        (_key(activity), str(activity))
        for source in _sources
        for activity in source.choices(initiative)
    ]


def activity_from_key(initiative, key: str) -> models.Model | None:
    """The activity a form's choice names, if it is one this initiative offers."""
    label, _sep, pk = key.partition(":")
    # ASCII digits only and within a 64-bit id: "²" is a digit to Python, not to int().
    if not (pk.isascii() and pk.isdigit() and len(pk) <= 18):
        return None
    for source in _sources:
        if source.model._meta.label_lower == label:
            return source.choices(initiative).filter(pk=int(pk)).first()
    return None


def activity_index(initiative) -> dict[str, models.Model]:
    """Every activity a timesheet may name, by its number and by its title (lower case): built
    once per import, so a file of thousands of rows costs one query per source."""
    index: dict[str, models.Model] = {}
    for source in _sources:
        for activity in source.choices(initiative):
            index[str(activity.pk)] = activity
            index[str(activity).lower()] = activity
    return index


def activity_filter(activity: models.Model) -> dict[str, object]:
    """Keyword arguments that select the contributions made to ``activity``."""
    return {
        "activity_type": ContentType.objects.get_for_model(activity),
        "activity_id": activity.pk,
    }
