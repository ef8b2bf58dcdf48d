"""iCalendar (RFC 5545) feeds of shifts, for people's and initiatives' calendars."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vGeo

from .models import Shift

PRODID = "-//Coproduce//Co-delivery shifts//EN"


@dataclass(frozen=True)
class FeedItem:
    shift: Shift
    waiting: bool = False


def shifts_calendar(*, name: str, items: Iterable[FeedItem], domain: str, base_url: str) -> bytes:
    """One VEVENT per shift. The UID depends on the shift only, so a shift that appears in a
    person's feed and in the initiative's feed is the same event to a calendar app."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    stamp = timezone.now()
    for item in items:
        shift, task = item.shift, item.shift.task
        event = Event()
        event.add("uid", f"shift-{shift.pk}@{domain}")
        event.add("dtstamp", stamp)
        event.add("dtstart", shift.starts_at)
        event.add("dtend", shift.ends_at)
        summary = task.title
        if item.waiting:
            summary = _("%(task)s (waiting list)") % {"task": task.title}
        event.add("summary", summary)
        event.add("status", "TENTATIVE" if item.waiting else "CONFIRMED")
        if task.address:
            event.add("location", task.address)
        if task.has_point:
            event.add("geo", vGeo((float(task.latitude), float(task.longitude))))
        link = base_url.rstrip("/") + reverse(
            "delivery:shift", args=[task.initiative.slug, shift.pk]
        )
        event.add("url", link)
        description = [task.initiative.title, task.description]
        if shift.notes:
            description.append(shift.notes)
        description.append(link)
        event.add("description", "\n\n".join(part for part in description if part))
        calendar.add_component(event)
    return calendar.to_ical()
