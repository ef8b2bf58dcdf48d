"""The admin of service requests (reported problems).

Ledger entries and timebank movements are evidence: the admin shows them but never edits a
confirmed contribution, a transfer or a movement; corrections go through the services.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from coproduce.audit.admin import AuditedAdmin, ReadOnlyAdmin
from coproduce.people.models import Person

from . import services
from .models import (
    ApiKey,
    CategoryAttribute,
    RequestCategory,
    RequestUpdate,
    ServiceRequest,
)


class CategoryAttributeInline(admin.TabularInline):
    model = CategoryAttribute
    extra = 0


@admin.register(RequestCategory)
class RequestCategoryAdmin(AuditedAdmin):
    list_display = ["name", "code", "initiative", "group", "is_active"]
    list_filter = ["is_active", "group", "initiative"]
    search_fields = ["name", "code", "keywords", "description"]
    inlines = [CategoryAttributeInline]


@admin.register(CategoryAttribute)
class CategoryAttributeAdmin(AuditedAdmin):
    list_display = ["code", "category", "datatype", "required", "order"]
    list_filter = ["datatype", "required"]
    search_fields = ["code", "description", "category__name"]


class RequestUpdateInline(admin.TabularInline):
    model = RequestUpdate
    extra = 0
    can_delete = False
    readonly_fields = ["actor", "status", "note", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ServiceRequest)
class ServiceRequestAdmin(AuditedAdmin):
    list_display = ["id", "category", "status", "address", "assigned_to", "created_at"]
    list_filter = ["status", "category"]
    search_fields = ["description", "address", "status_notes", "token"]
    date_hierarchy = "created_at"
    raw_id_fields = ["reported_by", "assigned_to", "api_key"]
    # Photos come in through the service, which re-encodes them (coproduce.uploads).
    readonly_fields = ["photo"]
    inlines = [RequestUpdateInline]


@admin.register(RequestUpdate)
class RequestUpdateAdmin(ReadOnlyAdmin):
    list_display = ["request", "status", "actor", "created_at"]
    list_filter = ["status"]
    search_fields = ["note"]


class ApiKeyIssueForm(forms.Form):
    name = forms.CharField(label=_("Application"), max_length=150)
    owner = forms.ModelChoiceField(
        label=_("Owner"), queryset=Person.objects.filter(is_active=True), required=False
    )


@admin.register(ApiKey)
class ApiKeyAdmin(AuditedAdmin):
    """Keys are issued by ``api_key_issue``, which stores only a digest: the page that follows
    shows the key once. A key is revoked by unticking "active"."""

    list_display = ["name", "prefix", "owner", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "prefix", "owner__email", "owner__display_name"]
    autocomplete_fields = ["owner"]
    fields = ["name", "prefix", "owner", "is_active", "created_at"]
    readonly_fields = ["prefix", "created_at"]

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ApiKeyIssueForm(request.POST or None)
        owner = form.fields["owner"]
        owner.widget = AutocompleteSelect(ApiKey._meta.get_field("owner"), self.admin_site)
        owner.widget.choices = owner.choices
        context = {
            **self.admin_site.each_context(request),
            "title": _("Issue an Open311 API key"),
            "opts": self.model._meta,
            "form": form,
        }
        if request.method == "POST" and form.is_valid():
            try:
                api_key, key = services.api_key_issue(actor=request.user, **form.cleaned_data)
            except (PermissionDenied, ValidationError) as error:
                reasons = error.messages if isinstance(error, ValidationError) else [str(error)]
                form.add_error(None, " ".join(reasons))
            else:
                response = TemplateResponse(
                    request,
                    "admin/service_requests/apikey/issued.html",
                    {
                        **context,
                        "title": _("Open311 API key issued"),
                        "api_key": api_key,
                        "key": key,
                    },
                )
                # The key is in this page only: no cache may keep a copy.
                response["Cache-Control"] = "no-store"
                return response
        return TemplateResponse(
            request,
            "admin/service_requests/apikey/issue.html",
            context,
            status=400 if form.errors else 200,
        )
