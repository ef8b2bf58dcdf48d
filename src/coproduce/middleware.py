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
