from django.contrib import admin

from mashang.audit import permissions
from mashang.audit.models import Event, SecurityEvent
from mashang.core.admin import ReadOnlyAdmin


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    """Events are append-only: the admin shows them and changes nothing."""

    list_display = ["at", "subject_type", "subject_id", "action", "actor", "from_state", "to_state"]
    list_filter = ["subject_type", "action"]
    search_fields = ["reason"]
    date_hierarchy = "at"


@admin.register(SecurityEvent)
class SecurityEventAdmin(ReadOnlyAdmin):
    """The security log: read by the audit administrator alone, hidden from everyone else
    (the system administrator and superusers included); nobody adds, changes or deletes."""

    list_display = ["at", "kind", "username", "user_id", "address", "object_type", "object_id", "ok"]
    list_filter = ["kind", "ok"]
    search_fields = ["username", "detail", "address"]
    date_hierarchy = "at"
    actions = None

    def has_module_permission(self, request):
        return permissions.can_read_security_log(request.user)

    def has_view_permission(self, request, obj=None):
        return permissions.can_read_security_log(request.user)


class SecurityAdminOnly:
    """Mixed into the admins of the accounts' security records (lock-outs, second-factor
    devices; API tokens have their own admin): the security administrator alone sees and deletes them
    (deleting a lock-out clears it, deleting a device resets the second factor); no one else, the system administrator included."""

    def has_module_permission(self, request):
        return permissions.can_manage_account_security(request.user)

    def has_view_permission(self, request, obj=None):
        return permissions.can_manage_account_security(request.user)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return permissions.can_manage_account_security(request.user)

    def has_add_permission(self, request, *args):
        return False


#: The accounts' security records the security administrator alone manages, by app label and
#: model; each is restricted when its app is installed and its admin registered.
ACCOUNT_SECURITY_MODELS = [
    ("axes", "accessattempt"),
    ("axes", "accessfailurelog"),
    ("axes", "accesslog"),
    ("otp_totp", "totpdevice"),
    ("otp_static", "staticdevice"),
]


def account_security_admins_restrict(site: admin.AdminSite = admin.site) -> list[str]:
    """Re-register the admins of :data:`ACCOUNT_SECURITY_MODELS` with
    :class:`SecurityAdminOnly` mixed in; run once every admin module is loaded
    (``AuditConfig.ready``). Returns the models restricted."""
    from django.apps import apps

    done = []
    for app_label, model_name in ACCOUNT_SECURITY_MODELS:
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            continue
        current = site._registry.get(model)
        if current is None or isinstance(current, SecurityAdminOnly):
            continue
        restricted = type(f"SecurityOnly{type(current).__name__}", (SecurityAdminOnly, type(current)), {})
        site.unregister(model)
        site.register(model, restricted)
        done.append(f"{app_label}.{model_name}")
    return done
