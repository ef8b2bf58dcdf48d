"""Every write of the timebank.

Each function checks its actor, takes keyword arguments only and runs in one transaction with
its audit row (ADR 0001, ADR 0005). Rows whose counters or balances change are locked first
(``select_for_update``) and changed with F-expressions; the audit row is written last, so the
global audit lock is never held while waiting for a row lock.
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coproduce.audit.services import audit_record
from coproduce.initiatives.models import Initiative
from coproduce.initiatives.rules import CO_LEADS_ONLY
from coproduce.initiatives.services import participation_ensure
from coproduce.ledger.entries import parse_hours
from coproduce.people.models import Person
from coproduce.people.permissions import require

from .models import (
    Exchange,
    Listing,
    Movement,
    Timebank,
    TimebankAccount,
    Transfer,
)


def _check_limits(min_balance: Decimal, max_balance: Decimal) -> None:
    if min_balance > 0 or max_balance < 0:
        raise ValidationError(
            _("The lowest balance must be zero or below and the highest zero or above.")
        )


def timebank_open(
    *,
    actor: Person,
    initiative: Initiative,
    min_balance: Decimal = Decimal("-10"),
    max_balance: Decimal = Decimal("40"),
) -> Timebank:
    require(
        actor,
        "timebank.manage_timebank",
        initiative,
        CO_LEADS_ONLY,
    )
    _check_limits(min_balance, max_balance)
    with transaction.atomic():
        timebank = Timebank(initiative=initiative, min_balance=min_balance, max_balance=max_balance)
        timebank.full_clean()
        timebank.save()
        audit_record(
            actor=actor,
            action="timebank.open",
            target=timebank,
            payload={"min_balance": min_balance, "max_balance": max_balance},
        )
    return timebank


def timebank_update(
    *,
    actor: Person,
    timebank: Timebank,
    min_balance: Decimal,
    max_balance: Decimal,
    is_active: bool,
) -> Timebank:
    """Change the limits. Existing balances are not touched; a balance outside new limits may
    only move back towards them."""
    require(
        actor,
        "timebank.manage_timebank",
        timebank.initiative,
        CO_LEADS_ONLY,
    )
    _check_limits(min_balance, max_balance)
    with transaction.atomic():
        timebank = Timebank.objects.select_for_update().get(pk=timebank.pk)
        timebank.min_balance, timebank.max_balance = min_balance, max_balance
        timebank.is_active = is_active
        timebank.full_clean()
        timebank.save(update_fields=["min_balance", "max_balance", "is_active"])
        audit_record(
            actor=actor,
            action="timebank.update",
            target=timebank,
            payload={
                "min_balance": min_balance,
                "max_balance": max_balance,
                "is_active": is_active,
            },
        )
    return timebank


def timebank_account_open(
    *, person: Person, timebank: Timebank, now: dt.datetime | None = None
) -> TimebankAccount:
    """Join the timebank (and the initiative, as a citizen, if need be)."""
    require(person, "timebank.take_part", timebank, _("Log in to take part in the timebank."))
    now = now or timezone.now()
    with transaction.atomic():
        account = TimebankAccount.objects.filter(timebank=timebank, person=person).first()
        if account is not None:
            return account
        if not timebank.is_active:
            raise ValidationError(_("This timebank is closed."))
        participation_ensure(person=person, initiative=timebank.initiative)
        account = TimebankAccount.objects.create(timebank=timebank, person=person, opened_at=now)
        audit_record(
            actor=person,
            action="timebank.open_account",
            target=account,
            payload={"timebank": timebank.pk},
        )
    return account


def timebank_transfer(
    *,
    actor: Person,
    payer: TimebankAccount,
    payee: TimebankAccount,
    hours: Decimal | str,
    memo: str = "",
    now: dt.datetime | None = None,
) -> Transfer:
    """Move hours from one account to another: two movements that sum to zero.

    Only co-leads move hours by hand (a correction, a welcome gift); members move them by
    completing an exchange.
    """
    require(actor, "timebank.manage_timebank", payer.timebank.initiative, CO_LEADS_ONLY)
    return _transfer(actor=actor, payer=payer, payee=payee, hours=hours, memo=memo, now=now)


def _transfer(
    *,
    actor: Person,
    payer: TimebankAccount,
    payee: TimebankAccount,
    hours: Decimal | str,
    memo: str,
    now: dt.datetime | None,
) -> Transfer:
    """Both accounts are locked in a fixed order (by id), so two transfers between the same
    accounts never deadlock; the limits are checked on the locked balances, and the balances
    change with F-expressions in the same transaction as the movements."""
    now = now or timezone.now()
    amount = parse_hours(hours)
    if payer.pk == payee.pk or payer.person_id == payee.person_id:
        raise ValidationError(_("Nobody transfers time to themselves."))
    if payer.timebank_id != payee.timebank_id:
        raise ValidationError(_("Both accounts must belong to the same timebank."))
    with transaction.atomic():
        timebank = Timebank.objects.get(pk=payer.timebank_id)
        if not timebank.is_active:
            raise ValidationError(_("This timebank is closed."))
        locked = {
            account.pk: account
            for account in TimebankAccount.objects.select_for_update()
            .filter(pk__in=[payer.pk, payee.pk])
            .order_by("pk")
        }
        payer, payee = locked[payer.pk], locked[payee.pk]
        if payer.balance - amount < timebank.min_balance:
            raise ValidationError(
                _("%(person)s cannot go below %(limit)s hours (balance %(balance)s).")
                % {
                    "person": payer.person,
                    "limit": timebank.min_balance,
                    "balance": payer.balance,
                }
            )
        if payee.balance + amount > timebank.max_balance:
            raise ValidationError(
                _("%(person)s cannot hold more than %(limit)s hours (balance %(balance)s).")
                % {
                    "person": payee.person,
                    "limit": timebank.max_balance,
                    "balance": payee.balance,
                }
            )
        transfer = Transfer.objects.create(
            timebank=timebank, created_at=now, actor=actor, memo=memo[:300]
        )
        Movement.objects.bulk_create(
            [
                Movement(transfer=transfer, account=payer, amount=-amount),
                Movement(transfer=transfer, account=payee, amount=amount),
            ]
        )
        # Both rows are locked, so the new balances are computed exactly here: SQLite would do
        # ``balance - amount`` in floating point (-5.000000000000001 is below a -5 limit).
        TimebankAccount.objects.filter(pk=payer.pk).update(balance=payer.balance - amount)
        TimebankAccount.objects.filter(pk=payee.pk).update(balance=payee.balance + amount)
        audit_record(
            actor=actor,
            action="timebank.transfer",
            target=transfer,
            payload={"from": payer.pk, "to": payee.pk, "hours": amount},
        )
    return transfer


def listing_create(
    *,
    person: Person,
    timebank: Timebank,
    kind: str,
    category: str,
    title: str,
    description: str = "",
    now: dt.datetime | None = None,
) -> Listing:
    require(person, "timebank.take_part", timebank, _("Log in to take part in the timebank."))
    now = now or timezone.now()
    with transaction.atomic():
        account = timebank_account_open(person=person, timebank=timebank, now=now)
        listing = Listing(
            timebank=timebank,
            account=account,
            kind=kind,
            category=category,
            title=title,
            description=description,
            created_at=now,
        )
        listing.full_clean()
        listing.save()
        audit_record(
            actor=person,
            action="timebank.listing_create",
            target=listing,
            payload={"kind": kind, "category": category},
        )
    return listing


def listing_close(*, actor: Person, listing: Listing) -> Listing:
    if actor.pk != listing.account.person_id:
        require(
            actor,
            "timebank.manage_timebank",
            listing.timebank.initiative,
            _("Only the member who posted it or a co-lead may close a listing."),
        )
    with transaction.atomic():
        listing.status = Listing.Status.CLOSED
        listing.save(update_fields=["status"])
        audit_record(actor=actor, action="timebank.listing_close", target=listing)
    return listing


def exchange_propose(
    *,
    actor: Person,
    listing: Listing,
    hours: Decimal | str,
    description: str = "",
    now: dt.datetime | None = None,
) -> Exchange:
    """Answer an offer (the actor will receive help) or a request (the actor will give it)."""
    require(
        actor, "timebank.take_part", listing.timebank, _("Log in to take part in the timebank.")
    )
    now = now or timezone.now()
    amount = parse_hours(hours)
    if listing.status != Listing.Status.OPEN:
        raise ValidationError(_("This listing is closed."))
    with transaction.atomic():
        account = timebank_account_open(person=actor, timebank=listing.timebank, now=now)
        if account.pk == listing.account_id:
            raise ValidationError(_("Nobody exchanges time with themselves."))
        if listing.kind == Listing.Kind.OFFER:
            giver, receiver = listing.account, account
        else:
            giver, receiver = account, listing.account
        exchange = Exchange(
            timebank=listing.timebank,
            listing=listing,
            giver=giver,
            receiver=receiver,
            hours=amount,
            description=description,
            proposed_by=actor,
            created_at=now,
        )
        exchange.full_clean()
        exchange.save()
        audit_record(
            actor=actor,
            action="timebank.exchange_propose",
            target=exchange,
            payload={
                "listing": listing.pk,
                "giver": giver.pk,
                "receiver": receiver.pk,
                "hours": amount,
            },
        )
    return exchange


def exchange_complete(
    *, actor: Person, exchange: Exchange, now: dt.datetime | None = None
) -> Exchange:
    """The receiver says the help was given: the hours move from the receiver to the giver."""
    now = now or timezone.now()
    with transaction.atomic():
        exchange = (
            Exchange.objects.select_for_update(of=("self",))
            .select_related("giver", "receiver", "timebank__initiative")
            .get(pk=exchange.pk)
        )
        require(
            actor,
            "timebank.complete_exchange",
            exchange,
            _("Only the person who received the help (or a co-lead) may complete an exchange."),
        )
        if exchange.status != Exchange.Status.PROPOSED:
            raise ValidationError(_("This exchange is no longer waiting to be completed."))
        transfer = _transfer(
            actor=actor,
            payer=exchange.receiver,
            payee=exchange.giver,
            hours=exchange.hours,
            memo=exchange.description or (exchange.listing.title if exchange.listing else ""),
            now=now,
        )
        exchange.status = Exchange.Status.COMPLETED
        exchange.completed_at, exchange.transfer = now, transfer
        exchange.save(update_fields=["status", "completed_at", "transfer"])
        audit_record(
            actor=actor,
            action="timebank.exchange_complete",
            target=exchange,
            payload={"transfer": transfer.pk},
        )
    return exchange


def exchange_cancel(*, actor: Person, exchange: Exchange) -> Exchange:
    with transaction.atomic():
        exchange = Exchange.objects.select_for_update().get(pk=exchange.pk)
        require(
            actor,
            "timebank.cancel_exchange",
            exchange,
            _("Only the two members or a co-lead may cancel an exchange."),
        )
        if exchange.status != Exchange.Status.PROPOSED:
            raise ValidationError(_("This exchange is no longer waiting to be completed."))
        exchange.status = Exchange.Status.CANCELLED
        exchange.save(update_fields=["status"])
        audit_record(actor=actor, action="timebank.exchange_cancel", target=exchange)
    return exchange
