"""Thin views of the timebank."""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from coproduce.initiatives.models import Initiative
from coproduce.web import (
    GET,
    GET_POST,
    add_service_errors,
    error_text,
    form_status,
    initiative_or_404,
    initiative_page,
    require,
    run_service,
)

from . import selectors, services
from .forms import (
    ExchangeForm,
    ListingFilterForm,
    ListingForm,
    TimebankForm,
    TransferForm,
)
from .models import (
    Exchange,
    Listing,
    TimebankAccount,
)

PER_PAGE = 100


#: What this component's pages may offer, answered per person as ``can.<key>`` in templates.
PAGE_PERMS = {
    "manage_timebank": "timebank.manage_timebank",
}
_page = partial(initiative_page, perms=PAGE_PERMS)


def _timebank_or_404(initiative: Initiative):
    timebank = selectors.timebank_of(initiative)
    if timebank is None:
        raise Http404
    return timebank


@require_http_methods(GET)
def timebank(request: HttpRequest, slug: str) -> HttpResponse:
    initiative = initiative_or_404(request, slug)
    bank = selectors.timebank_of(initiative)
    context = {"timebank": bank}
    if bank is not None:
        form = ListingFilterForm(request.GET or None)
        status = 200
        listings = selectors.timebank_listings(bank)
        if request.GET and not form.is_valid():
            status, listings = 400, listings.none()
        elif request.GET:
            listings = selectors.timebank_listings(bank, **form.cleaned_data)
        account = selectors.account_of(request.user, bank)
        context.update(
            {
                "form": form,
                "listings": listings[:200],
                "account": account,
                "waiting": selectors.account_exchanges(account).filter(
                    status=Exchange.Status.PROPOSED
                )
                if account
                else [],
            }
        )
        return _page(
            request,
            "timebank/timebank.html",
            initiative,
            context,
            status=status,
            section="timebank",
        )
    return _page(request, "timebank/timebank.html", initiative, context, section="timebank")


@login_required
@require_http_methods(GET_POST)
def timebank_settings(request: HttpRequest, slug: str) -> HttpResponse:
    initiative = initiative_or_404(request, slug)
    require(request, "timebank.manage_timebank", initiative)
    bank = selectors.timebank_of(initiative)
    form = TimebankForm(request.POST or None, instance=bank)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if bank is None:
                services.timebank_open(
                    actor=request.user,
                    initiative=initiative,
                    min_balance=data["min_balance"],
                    max_balance=data["max_balance"],
                )
            else:
                services.timebank_update(actor=request.user, timebank=bank, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The timebank is saved."))
            return redirect("timebank:timebank", slug=slug)
    return _page(
        request,
        "timebank/timebank_settings.html",
        initiative,
        {"form": form, "timebank": bank},
        status=form_status(request, form),
        section="timebank",
    )


@login_required
@require_http_methods(GET_POST)
def listing_create(request: HttpRequest, slug: str) -> HttpResponse:
    initiative = initiative_or_404(request, slug)
    bank = _timebank_or_404(initiative)
    form = ListingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            listing = services.listing_create(
                person=request.user, timebank=bank, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your listing is published."))
            return redirect("timebank:listing", slug=slug, pk=listing.pk)
    return _page(
        request,
        "timebank/listing_form.html",
        initiative,
        {"form": form, "timebank": bank},
        status=form_status(request, form),
        section="timebank",
    )


def _listing(initiative: Initiative, pk: int) -> Listing:
    return get_object_or_404(
        Listing.objects.select_related("account__person", "timebank"),
        pk=pk,
        timebank__initiative=initiative,
    )


@require_http_methods(GET_POST)
def listing_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    initiative = initiative_or_404(request, slug)
    listing = _listing(initiative, pk)
    form = ExchangeForm(request.POST or None)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if form.is_valid():
            try:
                services.exchange_propose(actor=request.user, listing=listing, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _(
                        "Exchange proposed. When the help has been given, the person who "
                        "received it marks it done and the hours move."
                    ),
                )
                return redirect("timebank:timebank_account", slug=slug)
    account = selectors.account_of(request.user, listing.timebank)
    return _page(
        request,
        "timebank/listing_detail.html",
        initiative,
        {
            "listing": listing,
            "form": form,
            "is_mine": account is not None and account.pk == listing.account_id,
        },
        status=form_status(request, form),
        section="timebank",
    )


@login_required
@require_POST
def listing_close(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    initiative = initiative_or_404(request, slug)
    listing = _listing(initiative, pk)
    run_service(
        request,
        lambda: services.listing_close(actor=request.user, listing=listing),
        _("The listing is closed."),
    )
    return redirect("timebank:timebank", slug=slug)


def _exchange(initiative: Initiative, pk: int) -> Exchange:
    return get_object_or_404(
        Exchange.objects.select_related("giver", "receiver", "timebank__initiative", "listing"),
        pk=pk,
        timebank__initiative=initiative,
    )


@login_required
@require_POST
def exchange_complete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    initiative = initiative_or_404(request, slug)
    exchange = _exchange(initiative, pk)
    try:
        services.exchange_complete(actor=request.user, exchange=exchange)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(
            request, _("Done: %(hours)s hours moved.") % {"hours": number_format(exchange.hours)}
        )
    return redirect("timebank:timebank_account", slug=slug)


@login_required
@require_POST
def exchange_cancel(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    initiative = initiative_or_404(request, slug)
    exchange = _exchange(initiative, pk)
    run_service(
        request,
        lambda: services.exchange_cancel(actor=request.user, exchange=exchange),
        _("The exchange is cancelled."),
    )
    return redirect("timebank:timebank_account", slug=slug)


@login_required
@require_http_methods(GET)
def timebank_account(request: HttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    """A member's balance, movements and exchanges: seen by the member and the co-leads."""
    initiative = initiative_or_404(request, slug)
    bank = _timebank_or_404(initiative)
    if pk is None:
        account = selectors.account_of(request.user, bank)
    else:
        account = get_object_or_404(
            TimebankAccount.objects.select_related("person", "timebank__initiative"),
            pk=pk,
            timebank=bank,
        )
        require(
            request,
            "timebank.view_account",
            account,
            _("A balance is seen by its member and the co-leads only."),
        )
    return _page(
        request,
        "timebank/timebank_account.html",
        initiative,
        {
            "timebank": bank,
            "account": account,
            "movements": selectors.account_movements(account)[:200] if account else [],
            "exchanges": selectors.account_exchanges(account)[:200] if account else [],
        },
        section="timebank",
    )


@login_required
@require_http_methods(GET_POST)
def timebank_accounts(request: HttpRequest, slug: str) -> HttpResponse:
    """Every balance, the double-entry check, and a coordinator's transfer form."""
    initiative = initiative_or_404(request, slug)
    require(request, "timebank.manage_timebank", initiative)
    bank = _timebank_or_404(initiative)
    form = TransferForm(request.POST or None, accounts=bank.accounts.select_related("person"))
    if request.method == "POST" and form.is_valid():
        try:
            services.timebank_transfer(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The transfer is recorded."))
            return redirect("timebank:timebank_accounts", slug=slug)
    return _page(
        request,
        "timebank/timebank_accounts.html",
        initiative,
        {
            "timebank": bank,
            "accounts": selectors.timebank_accounts(bank),
            "report": selectors.timebank_check(bank),
            "form": form,
        },
        status=form_status(request, form),
        section="timebank",
    )
