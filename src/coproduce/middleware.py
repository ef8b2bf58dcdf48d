"""Project-wide middleware."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import render
from django.utils.translation import gettext as _

from coproduce.ids import InvalidInput

LAST_SEEN = "coproduce_last_seen"


class HelpfulMethodNotAllowedMiddleware:
    """Django answers a wrong HTTP method with an empty 405; give people a page that says why."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 405 and not response.content:
            page = render(
                request,
                "405.html",
                {"allowed": response.get("Allow", "")},
                status=405,
            )
            page["Allow"] = response.get("Allow", "")
            return page
        return response


class RefusedFormIs400Middleware:
    """A form sent back with errors is a refused request: answer 400, as the project's own views
    do (``coproduce.web.form_status``), also on the pages of django-allauth, which answer 200."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method == "POST" and response.status_code == 200:
            form = (getattr(response, "context_data", None) or {}).get("form")
            if form is not None and getattr(form, "errors", None):
                response.status_code = 400
        return response


class StaffIdleTimeoutMiddleware:
    """Log out a staff account after ``STAFF_SESSION_IDLE_SECONDS`` without a request.

    Staff accounts reach the admin, where one click changes anyone's data: a session left open
    on a shared computer must not stay usable. Other people keep Django's usual session length.
    The time of the last request is kept in the session, rewritten at most once a minute.
    """

    REFRESH_SECONDS = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_staff:
            self._check(request)
        return self.get_response(request)

    def _check(self, request) -> None:
        now = int(time.time())
        last_seen = request.session.get(LAST_SEEN)
        idle = settings.STAFF_SESSION_IDLE_SECONDS
        if isinstance(last_seen, int) and now - last_seen > idle:
            logout(request)
            messages.info(
                request,
                _("You were logged out after %(minutes)d minutes without activity.")
                % {"minutes": idle // 60},
            )
        elif not isinstance(last_seen, int) or now - last_seen >= self.REFRESH_SECONDS:
            request.session[LAST_SEEN] = now


def refuse_unreadable_input(request) -> None:
    """Parse the query string and a posted form, and refuse (``InvalidInput``, a 400 naming the
    field) a NUL character in any name or value: no text column accepts one (PostgreSQL refuses
    it outright), and no person types one. A body too large or with too many fields raises
    Django's own 400 errors here too."""
    if "\x00" in request.path_info:
        raise InvalidInput("path", _("The address contains a NUL character."))
    data = [request.GET, request.POST] if request.method == "POST" else [request.GET]
    for values in data:
        for name, items in values.lists():
            if "\x00" in name or any("\x00" in item for item in items):
                field = name.replace("\x00", "")[:60]
                raise InvalidInput(
                    field, _("“%(field)s” contains a NUL character.") % {"field": field}
                )


class ReadFormFirstMiddleware:
    """Read a request's input before any view runs (:func:`refuse_unreadable_input`), so that
    input no view can use is refused before a view has done anything. Views read
    ``request.POST`` lazily, and one that calls a service first would otherwise change the
    database and then fail on its input. Views marked ``reads_own_input`` (Open311, which
    answers errors in its own format) call the function themselves."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not getattr(view_func, "reads_own_input", False):
            refuse_unreadable_input(request)
        return None
