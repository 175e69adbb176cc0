"""The security log's receivers: sign-in, its failure and sign-out (django.contrib.auth),
lock-outs (django-axes, when installed), password, role and permission changes of a person
(model signals on the user), and every change made in the admin (``LogEntry``). Connected in
``AuditConfig.ready``."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_save, pre_save

from mashang.audit.middleware import current_request
from mashang.audit.models import SecurityEvent
from mashang.audit.security import security_event

Kind = SecurityEvent.Kind

#: The user's fields whose change is a change of rights.
RIGHTS_FIELDS = ("role", "is_staff", "is_superuser", "is_active", "unit_id", "enterprise_id")


def on_logged_in(sender, request, user, **kwargs) -> None:
    security_event(request, Kind.SIGN_IN, user=user, obj=user)


def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    username = str((credentials or {}).get("username", "") or "")
    security_event(request, Kind.SIGN_IN_FAILED, username=username, ok=False)


def on_logged_out(sender, request, user=None, **kwargs) -> None:
    if user is not None:
        security_event(request, Kind.SIGNED_OUT, user=user, obj=user)


def on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    security_event(
        request,
        Kind.LOCKED_OUT,
        username=str(username or ""),
        ok=False,
        detail=f"ip={ip_address}" if ip_address else "",
    )


def _actor(request: Any | None) -> Any | None:
    user = getattr(request, "user", None)
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def on_user_pre_save(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    """Note what changed against the stored row; ``on_user_post_save`` records it once saved."""
    instance._security_changes = []
    if raw or instance.pk is None:
        return
    watched = {"password", "role", "is_staff", "is_superuser", "is_active", "unit", "enterprise"}
    if update_fields is not None and not watched & {f.removesuffix("_id") for f in update_fields}:
        return  # the sign-in's last_login, a display name: nothing to compare
    before = sender._base_manager.filter(pk=instance.pk).values("password", *RIGHTS_FIELDS).first()
    if before is None:
        return
    changes: list[tuple[str, str]] = []
    if before["password"] != instance.password:
        changes.append((Kind.PASSWORD_CHANGED, ""))
    if before["role"] != instance.role:
        changes.append((Kind.ROLE_CHANGED, f"role: {before['role']} → {instance.role}"))
    flags = [
        f"{f}: {before[f]} → {getattr(instance, f)}"
        for f in RIGHTS_FIELDS[1:]
        if before[f] != getattr(instance, f)
    ]
    if flags:
        changes.append((Kind.PERMISSION_CHANGED, "; ".join(flags)))
    instance._security_changes = changes


def on_user_post_save(sender, instance, created=False, raw=False, **kwargs) -> None:
    changes = getattr(instance, "_security_changes", [])
    instance._security_changes = []
    if raw or created or not changes:
        return
    request = current_request()
    actor = _actor(request)
    for kind, detail in changes:
        security_event(
            request,
            kind,
            user=actor or instance,
            obj=instance,
            detail=f"{instance.username}: {detail}" if detail else instance.username,
        )


def on_rights_m2m(sender, instance, action, pk_set=None, model=None, **kwargs) -> None:
    """Groups or permissions added to (or taken from) a person, or permissions of a group."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if action != "post_clear" and not pk_set:
        return
    request = current_request()
    names = ""
    if pk_set and model is not None:
        names = ", ".join(sorted(str(o) for o in model._default_manager.filter(pk__in=pk_set)))
    verb = {"post_add": "+", "post_remove": "-", "post_clear": "clear"}[action]
    security_event(
        request,
        Kind.PERMISSION_CHANGED,
        user=_actor(request),
        obj=instance,
        detail=f"{instance}: {verb} {names}".strip(),
    )


def on_log_entry(sender, instance: LogEntry, created=False, raw=False, **kwargs) -> None:
    if raw or not created:
        return
    action = {1: "add", 2: "change", 3: "delete"}.get(instance.action_flag, str(instance.action_flag))
    ct = instance.content_type
    security_event(
        current_request(),
        Kind.ADMIN_CHANGE,
        user=instance.user,
        object_type=f"{ct.app_label}.{ct.model}" if ct else "",
        object_id=instance.object_id or "",
        detail=f"{action} {instance.object_repr}: {instance.get_change_message()}",
    )


def connect() -> None:
    user_model = get_user_model()
    user_logged_in.connect(on_logged_in, dispatch_uid="security_log_logged_in")
    user_login_failed.connect(on_login_failed, dispatch_uid="security_log_login_failed")
    user_logged_out.connect(on_logged_out, dispatch_uid="security_log_logged_out")
    pre_save.connect(on_user_pre_save, sender=user_model, dispatch_uid="security_log_user_pre")
    post_save.connect(on_user_post_save, sender=user_model, dispatch_uid="security_log_user_post")
    m2m_changed.connect(on_rights_m2m, sender=user_model.groups.through, dispatch_uid="security_log_groups")
    m2m_changed.connect(
        on_rights_m2m, sender=user_model.user_permissions.through, dispatch_uid="security_log_user_perms"
    )
    from django.contrib.auth.models import Group

    m2m_changed.connect(on_rights_m2m, sender=Group.permissions.through, dispatch_uid="security_log_group_perms")
    post_save.connect(on_log_entry, sender=LogEntry, dispatch_uid="security_log_admin")
    if not apps.is_installed("axes"):  # no django-axes: no lock-outs to record
        return
    from axes.signals import user_locked_out

    user_locked_out.connect(on_locked_out, dispatch_uid="security_log_locked_out")
