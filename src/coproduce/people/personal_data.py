"""Every record about a person, for "Download my data" and "Delete my account" (GDPR articles
15, 17 and 20).

The people app sits low in the layers and imports none of the apps above it, yet they hold most
of what the platform knows about someone (ballots, contributions, shifts, hours, reported
problems). So each app that keeps records about a person registers a :class:`Section` here from
its ``AppConfig.ready()``, as components register in ``initiatives/components.py``:

- ``export(person)`` lists those records as JSON-ready dicts (ids, dates, amounts, texts);
- ``erase(person, now)`` removes or pseudonymises what is personal and keeps what others rely on
  (a ballot stays counted, a contribution stays in the totals, hours stay in the timebank),
  returning how many rows it changed; it runs inside the erasure's transaction and writes no audit
  row of its own;
- ``blockers(person)`` names what must be settled first (the only co-lead of a running initiative).

``models`` lists every model of the app that refers to a person; a test walks the installed models
and fails for one that no section claims, so a new table about people cannot be forgotten.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils import timezone

Exporter = Callable[[Any], list[dict[str, Any]]]
Eraser = Callable[[Any, dt.datetime], int]
Blockers = Callable[[Any], list[str]]

FORMAT = "coproduce-personal-data"
VERSION = 1


def _erase_nothing(person, now: dt.datetime) -> int:
    return 0


def _no_blockers(person) -> list[str]:
    return []


@dataclass(frozen=True)
class Section:
    """One kind of record about a person (their ballots, their timebank movements...)."""

    key: str
    models: tuple[type[models.Model], ...]
    export: Exporter
    erase: Eraser = _erase_nothing
    blockers: Blockers = _no_blockers
    # What the records are and what erasure does to them, told to the person deciding.
    label: Any = field(default="", compare=False)
    on_erasure: Any = field(default="", compare=False)


_sections: dict[str, Section] = {}


def register(section: Section) -> None:
    """Called from ``AppConfig.ready()``; registering one key for two sections is a mistake."""
    if section.key in _sections and _sections[section.key] != section:
        raise ValueError(f"personal data section {section.key!r} is already registered")
    _sections[section.key] = section


def sections() -> list[Section]:
    return sorted(_sections.values(), key=lambda section: section.key)


def covered_models() -> set[type[models.Model]]:
    return {model for section in sections() for model in section.models}


def rows(queryset: models.QuerySet, *fields: str) -> list[dict[str, Any]]:
    """The chosen columns of a queryset as plain dicts (foreign keys as ids, lookups allowed)."""
    return list(queryset.values(*fields))


def export(person) -> dict[str, Any]:
    """Everything the platform holds about ``person``, ready for ``json.dumps`` with
    ``DjangoJSONEncoder`` (dates, decimals)."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": timezone.now(),
        "records": {section.key: section.export(person) for section in sections()},
    }


def blockers(person) -> list[str]:
    """Why this person's data cannot be erased yet (empty when it can)."""
    return [reason for section in sections() for reason in section.blockers(person)]


def erase(person, now: dt.datetime) -> dict[str, int]:
    """Run every section's eraser; returns rows changed per section. The caller holds the
    transaction and writes the audit row."""
    return {section.key: section.erase(person, now) for section in sections()}
