from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from mashang.audit.models import Event
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
    readonly_fields = ["rule_history"]

    @admin.display(description=_("Changes decided by review meetings"))
    def rule_history(self, category: Category) -> str:
        """Each change a review meeting made to this category's routing default or limits: when,
        what, from and to, which meeting, and the decision (events recorded on approval)."""
        events = Event.objects.filter(subject_type="category", subject_id=category.pk).order_by("-id")[:50]
        rows = [
            (
                timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M"),
                e.payload.get("field", ""),
                e.payload.get("from", "") or "—",
                e.payload.get("to", ""),
                e.payload.get("meeting", ""),
                e.reason,
            )
            for e in events
        ]
        if not rows:
            return "—"
        return format_html_join("\n", "<p>{} · {}: {} → {} · {} · {}</p>", rows)


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
