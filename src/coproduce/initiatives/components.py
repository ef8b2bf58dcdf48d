"""The registry of components: how the shared space shows the stage apps without knowing them.

An initiative page lists what its components add (a panel each) and every component page shows
the same row of tabs. The initiative app does not import the components: each one registers
itself in its ``AppConfig.ready()``, as Decidim's components do, so a component can be switched off
by removing it from ``INSTALLED_APPS`` and no page links to it any more.

A component that an initiative does not use shows no tab and no panel, except to the people who
may start using it (a co-lead may open the first budget or the timebank).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.template.loader import render_to_string
from django.urls import reverse

Predicate = Callable[[Any, Any], bool]  # (initiative, person) -> bool
LeaveHook = Callable[[Any, Any, Any], None]  # (person, initiative, actor)
Consequences = Callable[[Any, Any], list[str]]  # (person, initiative) -> sentences


def _always(initiative, person) -> bool:
    return True


@dataclass(frozen=True)
class Tab:
    """One link in the row of tabs: ``url_name`` is reversed with the initiative's slug."""

    key: str
    label: str
    url_name: str
    visible: Predicate = _always


@dataclass(frozen=True)
class Panel:
    """What a component adds to the initiative page: a template and the context it needs."""

    template: str
    context: Callable[[Any, Any], dict[str, Any]]


@dataclass(frozen=True)
class Component:
    """A feature of the shared space (tasks and shifts, the ledger, a timebank, budgets...).

    ``in_use(initiative)`` says whether the initiative uses it; ``can_start(initiative, person)``
    whether this person may begin using it, in which case its tabs show even before first use.
    ``order`` places it: stages in the order of the four Co's.

    When someone leaves an initiative or is removed from it, ``on_leave(person, initiative,
    actor)`` undoes what the component holds for them (a place on a shift still to come), inside
    the leaving service's transaction and before the participation goes; it checks ``actor``
    itself and writes its own audit rows. ``leaving_consequences(person, initiative)`` says so
    beforehand, one sentence per consequence, for the confirmation page. The initiatives app
    sits below the components and the project uses no signals: this is how it tells them.
    """

    name: str
    label: str
    order: int
    tabs: tuple[Tab, ...] = ()
    panel: Panel | None = None
    in_use: Callable[[Any], bool] = field(default=lambda initiative: True)
    can_start: Predicate = field(default=lambda initiative, person: False)
    on_leave: LeaveHook | None = None
    leaving_consequences: Consequences | None = None

    def shown_to(self, initiative, person) -> bool:
        return self.in_use(initiative) or self.can_start(initiative, person)


_registry: dict[str, Component] = {}


def register(component: Component) -> None:
    """Called once per app from ``AppConfig.ready()``; registering a name twice is a mistake."""
    if component.name in _registry and _registry[component.name] != component:
        raise ValueError(f"component {component.name!r} is already registered")
    _registry[component.name] = component


def components() -> list[Component]:
    return sorted(_registry.values(), key=lambda component: (component.order, component.name))


def run_leave_hooks(person, initiative, actor) -> None:
    """Let every component release what it holds for a person who is leaving the initiative.
    Called by the initiatives' services inside their transaction, before the participation is
    deleted (so the person still counts as taking part while the hooks check permissions)."""
    for component in components():
        if component.on_leave is not None:
            component.on_leave(person, initiative, actor)


def leaving_consequences(person, initiative) -> list[str]:
    """What leaving would change, in the components' own words, for the confirmation page."""
    sentences: list[str] = []
    for component in components():
        if component.leaving_consequences is not None:
            sentences += component.leaving_consequences(person, initiative)
    return sentences


@dataclass(frozen=True)
class TabLink:
    key: str
    label: str
    url: str
    current: bool


def tabs_for(initiative, person, *, current: str = "") -> list[TabLink]:
    """The tabs this person sees on the pages of this initiative's components."""
    links = []
    for component in components():
        if not component.shown_to(initiative, person):
            continue
        for tab in component.tabs:
            if tab.visible(initiative, person):
                url = reverse(tab.url_name, args=[initiative.slug])
                links.append(TabLink(tab.key, str(tab.label), url, tab.key == current))
    return links


@dataclass(frozen=True)
class PanelView:
    name: str
    label: str
    html: str


def panels_for(request, initiative) -> list[PanelView]:
    """The panels of the components this initiative uses, rendered, in the order of the stages."""
    person = request.user
    views = []
    for component in components():
        if component.panel is None or not component.shown_to(initiative, person):
            continue
        context = {"initiative": initiative, **component.panel.context(initiative, person)}
        html = render_to_string(component.panel.template, context, request=request)
        views.append(PanelView(component.name, str(component.label), html))
    return views
