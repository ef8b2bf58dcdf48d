"""Project-wide middleware."""

from django.shortcuts import render


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
