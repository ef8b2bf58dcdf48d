"""Every URL pattern of the site, read from the URLconf (never a hand-written list), with a way to
fill its parameters with real values or junk."""

import re
from dataclasses import dataclass
from urllib.parse import quote

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

ROUTE_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>\w+)>")
REGEX_PARAM = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>(?:[^()]|\([^()]*\))*)\)")


@dataclass(frozen=True)
class Param:
    name: str
    converter: str


@dataclass(frozen=True)
class Route:
    parts: tuple  # literal text and Param
    name: str
    module: str = ""  # the view's module

    @property
    def ours(self) -> bool:
        """Whether the view is the project's own (not Django's admin or another library's)."""
        return self.module.startswith("coproduce.")

    @property
    def params(self) -> list[Param]:
        return [part for part in self.parts if isinstance(part, Param)]

    @property
    def template(self) -> str:
        return "/" + "".join(
            part if isinstance(part, str) else f"<{part.converter}:{part.name}>"
            for part in self.parts
        )

    def segment_before(self, param: Param) -> str:
        """The literal path segment just before a parameter: "tasks" in tasks/<int:pk>/."""
        text = ""
        for part in self.parts:
            if part == param:
                break
            text = text + part if isinstance(part, str) else ""
        return text.rstrip("/").rsplit("/", 1)[-1]

    def fill(self, values: dict[str, str]) -> str:
        return "/" + "".join(
            part if isinstance(part, str) else quote(values[part.name], safe="")
            for part in self.parts
        )


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text.lstrip("^").rstrip("$"))


def _parts(pattern) -> tuple:
    if isinstance(pattern, RoutePattern):
        route = str(pattern._route)
        found = ROUTE_PARAM
        make = lambda match: Param(match["name"], match["converter"] or "str")  # noqa: E731
        literal = lambda text: text  # noqa: E731
    elif isinstance(pattern, RegexPattern):
        route = str(pattern._regex)
        found = REGEX_PARAM
        make = lambda match: Param(match["name"], "regex")  # noqa: E731
        literal = _unescape
    else:  # pragma: no cover - the site uses no other kind of pattern
        raise AssertionError(f"unknown URL pattern {pattern!r}")
    parts, position = [], 0
    for match in found.finditer(route):
        parts.append(literal(route[position : match.start()]))
        parts.append(make(match))
        position = match.end()
    parts.append(literal(route[position:]))
    return tuple(part for part in parts if part != "")


def routes(resolver: URLResolver | None = None, prefix: tuple = (), namespace: str = "") -> list:
    """Every URL pattern under ``resolver`` (the site's URLconf by default), with its full path."""
    resolver = resolver or get_resolver()
    found = []
    for entry in resolver.url_patterns:
        parts = prefix + _parts(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = ":".join(filter(None, [namespace, entry.namespace]))
            found.extend(routes(entry, parts, inner))
        elif isinstance(entry, URLPattern):
            name = ":".join(filter(None, [namespace, entry.name or ""]))
            found.append(Route(parts, name, getattr(entry.callback, "__module__", "")))
    return found
