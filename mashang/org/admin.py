from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from mashang.org.models import Category, Enterprise, Unit, User


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "head", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["head"]


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ["name", "credit_code", "industry"]
    search_fields = ["name", "credit_code"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = [
        "code", "name", "default_lead_unit", "triage_hours", "first_response_hours",
        "interim_reply_days", "resolution_days", "is_active",
    ]
    list_filter = ["is_active"]
    search_fields = ["code", "name"]


@admin.register(User)
class PersonAdmin(UserAdmin):
    list_display = ["username", "display_name", "role", "unit", "enterprise", "is_active"]
    list_filter = ["role", "unit", "is_active"]
    search_fields = ["username", "display_name", "enterprise__name"]
    autocomplete_fields = ["enterprise"]
    fieldsets = (
        *UserAdmin.fieldsets,
        (_("Role in the zone"), {"fields": ("role", "display_name", "phone", "unit", "enterprise")}),
    )
    add_fieldsets = (
        *UserAdmin.add_fieldsets,
        (_("Role in the zone"), {"fields": ("role", "display_name", "unit", "enterprise")}),
    )
