"""Permanent redirects from addresses that moved, so bookmarks, emailed links and calendar
subscriptions keep working."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.utils.http import url_has_allowed_host_and_scheme


class HttpResponsePermanentRedirectKeepMethod(HttpResponsePermanentRedirect):
    """308: a form posted to an old address is posted again to the new one."""

    status_code = 308


def moved(template: str) -> Callable[..., HttpResponse]:
    """A view answering 301 (308 for a form's POST) to ``template`` filled with the URL's parts,
    keeping the query string."""

    def view(request: HttpRequest, **parts: str) -> HttpResponse:
        target = template.format(**parts)
        if not url_has_allowed_host_and_scheme(target, allowed_hosts=None) or "//" in target:
            target = "/"
        if request.META.get("QUERY_STRING"):
            target += "?" + request.META["QUERY_STRING"]
        if request.method in ("GET", "HEAD"):
            return HttpResponsePermanentRedirect(target)
        return HttpResponsePermanentRedirectKeepMethod(target)

    return view
