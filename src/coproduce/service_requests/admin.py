"""The admin of service requests (reported problems).

Ledger entries and timebank movements are evidence: the admin shows them but never edits a
confirmed contribution, a transfer or a movement; corrections go through the services.
"""

from django.contrib import admin

from coproduce.audit.admin import AuditedAdmin, ReadOnlyAdmin

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


@admin.register(ApiKey)
class ApiKeyAdmin(AuditedAdmin):
    list_display = ["name", "owner", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "owner__email", "owner__display_name"]
    autocomplete_fields = ["owner"]
    readonly_fields = ["key"]
