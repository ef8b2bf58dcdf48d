"""Who may handle reported problems (service requests): named predicates, one place."""

import rules

from coproduce.initiatives.rules import is_administrator, is_co_lead, is_participant

# About an initiative.
rules.add_perm("service_requests.handle_service_requests", is_participant | is_administrator)
rules.add_perm("service_requests.manage_request_categories", is_co_lead | is_administrator)
