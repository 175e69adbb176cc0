"""API tokens in the admin: the security administrator sees everyone's tokens (never a secret:
only the first characters) and revokes them; nobody adds or edits one here."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from mashang.api.models import ApiToken
from mashang.api.tokens import api_tokens_revoke_by_admin
from mashang.audit.permissions import can_manage_account_security
from mashang.core.admin import ReadOnlyAdmin


class LiveFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("live", _("Not revoked")), ("revoked", _("Revoked"))]

    def queryset(self, request, queryset):
        if self.value() == "live":
            return queryset.filter(revoked_at__isnull=True)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = [
        "user", "prefix_shown", "label", "created_at", "last_used_at", "expires_at",
        "revoked_at", "revoked_because", "revoked_by",
    ]
    list_filter = [LiveFilter, "revoked_because"]
    search_fields = ["user__username", "user__display_name", "label", "prefix"]
    list_select_related = ["user", "revoked_by"]
    date_hierarchy = "created_at"
    fields = [
        "user", "prefix_shown", "label", "created_at", "signed_in_at", "last_used_at", "expires_at",
        "revoked_at", "revoked_because", "revoked_by",
    ]
    readonly_fields = fields
    actions = ["revoke"]

    @admin.display(description=_("token"))
    def prefix_shown(self, token: ApiToken) -> str:
        return f"{token.prefix}…" if token.prefix else "—"

    def has_module_permission(self, request):
        return can_manage_account_security(request.user)

    def has_view_permission(self, request, obj=None):
        return can_manage_account_security(request.user)

    def has_revoke_permission(self, request):
        return can_manage_account_security(request.user)

    @admin.action(description=_("Revoke the selected tokens"), permissions=["revoke"])
    def revoke(self, request, queryset):
        count = api_tokens_revoke_by_admin(
            actor=request.user, token_ids=list(queryset.values_list("pk", flat=True)), request=request
        )
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", count) % {"count": count},
            messages.SUCCESS,
        )
