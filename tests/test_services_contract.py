"""The contract every service keeps: it writes an audit entry, and it refuses an actor the rules
do not allow with ``PermissionDenied``, writing nothing.

The services are found in the code (``coproduce.<app>.services`` for every installed app), not
listed by hand, and each must have its row in ``SERVICES`` (``permission_matrix.py``, the table
that also says which of the nine roles may call it): a new service cannot be added without
saying how it is called and who it refuses. Rows are keyed by function name only and look models
up by class name, so they survive services and models moving between apps.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from coproduce.audit.models import AuditEntry
from factories import PersonFactory
from permission_matrix import SERVICES
from permission_world import ANONYMOUS, discovered_services, service

# Services whose check still lives only in their view (name: reason). Empty: every service
# checks its own actor. A name added here makes its refusal test a strict expected failure, so
# the list cannot outlive the gap it records.
CHECK_NOT_IN_SERVICE_YET: dict[str, str] = {}


# -- The checks ------------------------------------------------------------------------------


def test_every_service_has_its_row():
    found = set(discovered_services())
    missing = sorted(found - set(SERVICES))
    assert not missing, (
        f"These services have no row in SERVICES in {__name__}: {missing}. Add one saying how to "
        "call the service with an allowed actor and whom it must refuse (or, for a function "
        "that changes nothing, add it to NOT_SERVICES with a comment)."
    )
    for name in sorted(found):
        assert "_" in name, f"{name} does not follow the <entity>_<action> convention"


def test_rows_name_existing_services():
    unknown = sorted(set(SERVICES) - set(discovered_services()))
    assert not unknown, f"SERVICES has rows for services that no longer exist: {unknown}"


def test_rows_without_refusals_say_why():
    for name, row in SERVICES.items():
        assert row.refuses or row.why, f"{name}: say why no permission applies"


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(SERVICES))
def test_an_allowed_actor_writes_an_audit_entry(name):
    if name not in discovered_services():
        pytest.skip(f"{name} is not installed")
    kwargs = SERVICES[name].build()
    before = AuditEntry.objects.count()
    service(name)(**kwargs)
    assert AuditEntry.objects.count() > before, f"{name} wrote no audit entry"


REFUSALS = [
    pytest.param(
        name,
        who,
        id=f"{name}-{who}",
        marks=[pytest.mark.xfail(strict=True, reason=CHECK_NOT_IN_SERVICE_YET[name])]
        if name in CHECK_NOT_IN_SERVICE_YET
        else [],
    )
    for name, row in sorted(SERVICES.items())
    for who in row.refuses
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "who"), REFUSALS)
def test_an_actor_the_rules_do_not_allow_is_refused_and_nothing_is_written(name, who):
    if name not in discovered_services():
        pytest.skip(f"{name} is not installed")
    row = SERVICES[name]
    kwargs = row.build()
    kwargs[row.actor_arg] = AnonymousUser() if who == ANONYMOUS else PersonFactory()
    before = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        service(name)(**kwargs)
    assert AuditEntry.objects.count() == before
