"""Who may handle reported problems (service requests): named predicates, one place.

Handling a problem (picking it up, changing its status, writing notes) is for the initiative's
co-leads and professionals, and for whoever it is assigned to. The person who reported it may
add a comment. A participant who joined a minute ago may do neither.
"""

import rules

from coproduce.initiatives.rules import is_administrator, is_co_lead, is_professional
from coproduce.people.rules import is_signed_in


@rules.predicate
def handles_its_initiative(person, request) -> bool:
    initiative = request.category.initiative if request is not None else None
    return is_co_lead(person, initiative) or is_professional(person, initiative)


@rules.predicate
def is_assignee(person, request) -> bool:
    return request is not None and is_signed_in(person) and request.assigned_to_id == person.pk


@rules.predicate
def is_reporter(person, request) -> bool:
    return request is not None and is_signed_in(person) and request.reported_by_id == person.pk


# About an initiative.
rules.add_perm(
    "service_requests.handle_service_requests", is_co_lead | is_professional | is_administrator
)
rules.add_perm("service_requests.manage_request_categories", is_co_lead | is_administrator)
# Open311 keys are issued to applications by the site's administrators.
rules.add_perm("service_requests.issue_api_key", is_administrator)

# About one request.
_handler = handles_its_initiative | is_assignee | is_administrator
rules.add_perm("service_requests.update_request", _handler)
rules.add_perm("service_requests.comment_on_request", _handler | is_reporter)
# How to reach the reporter (Open311 contact fields): those handling the request only.
rules.add_perm("service_requests.see_contact_details", _handler)
