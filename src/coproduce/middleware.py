"""Project-wide middleware."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import render
from django.utils.translation import gettext as _

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


class ReadFormFirstMiddleware:
    """Parse a posted form before any view runs, so that a body too large or with too many fields
    is refused (400) before a view has done anything. Views read ``request.POST`` lazily, and one
    that calls a service first would otherwise change the database and then fail on its input;
    the CSRF check reads the form too, but not for views exempt from it (Open311) nor in tests."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method == "POST":
            request.POST  # noqa: B018 - parsing raises RequestDataTooBig or TooManyFields
        return None
