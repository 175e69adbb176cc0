"""Where each role goes first, and what its navigation offers."""

from __future__ import annotations

from functools import partial

from django.urls import reverse
from django.utils.translation import gettext as _

from mashang.meetings.selectors import can_view_cases
from mashang.meetings.transitions import can_view as can_view_meetings
from mashang.notify.selectors import inbox_unread_count
from mashang.org.models import User

R = User.Role


def nav_for(user) -> list[dict]:
    """The navigation of ``user``'s role: label and URL, the first item being their home; the
    inbox's item also has ``unread``, a callable giving the count of unread messages."""
    if not getattr(user, "is_authenticated", False):
        return []
    role = user.role
    items: list[tuple[str, str]]
    if role in (R.SECURITY_ADMIN, R.AUDIT_ADMIN):
        # 三员分立: no zone data; the audit administrator reads the security log, the security
        # administrator works in the admin (lock-outs, second factors, tokens).
        result = []
        if role == R.AUDIT_ADMIN:
            result.append({"label": _("Security audit log"), "url": reverse("audit:security")})
        if user.is_staff or role == R.SECURITY_ADMIN:
            result.append({"label": _("Administration"), "url": reverse("admin:index")})
        return result
    if role == R.ENTERPRISE:
        items = [(_("My demands"), "demands:my"), (_("File a demand"), "demands:new")]
    elif role == R.OFFICER:
        items = [(_("Triage queue"), "demands:team"), (_("Register a demand"), "demands:intake"), (_("All demands"), "demands:all")]
    elif role in (R.UNIT_STAFF, R.UNIT_HEAD):
        items = [(_("Unit queue"), "demands:unit"), (_("All of the unit"), "demands:all"), (_("Register a demand"), "demands:intake")]
    elif role == R.SUPERVISOR:
        items = [(_("Overdue and at risk"), "demands:watch"), (_("Dashboard"), "demands:dashboard"), (_("All demands"), "demands:all")]
    elif role == R.LEADER:
        items = [(_("Dashboard"), "demands:dashboard"), (_("Overdue and at risk"), "demands:watch"), (_("All demands"), "demands:all")]
    else:
        items = [(_("All demands"), "demands:all")]
    if role == R.ENTERPRISE:
        items.append((_("My projects"), "projects:pipeline"))
    elif role in (R.OFFICER, R.SUPERVISOR, R.LEADER, R.ADMIN):
        items.append((_("Investment projects"), "projects:pipeline"))
    if role != R.ENTERPRISE:
        items.append((_("Land start"), "landstart:runs"))
    if role in (R.OFFICER, R.SUPERVISOR, R.LEADER, R.ADMIN):
        items.append((_("Land-supply batches"), "landstart:batches"))
    if role != R.ENTERPRISE:
        items.append((_("Supervision notices"), "supervision:notices"))
        items.append((_("Scorecards"), "supervision:scorecards"))
    if can_view_meetings(user):
        items.append((_("Review meetings"), "meetings:index"))
        items.append((_("Action items"), "meetings:action-items"))
    if can_view_cases(user):
        items.append((_("Difficult cases"), "meetings:difficult-cases"))
    if role == R.ADMIN:
        items.append((_("Routing rules"), "routing:rules"))
    if role in (R.OFFICER, R.SUPERVISOR, R.LEADER, R.ADMIN):
        items.append((_("Suggestions"), "routing:classifiers"))
    result = [{"label": label, "url": reverse(name)} for label, name in items]
    # The inbox shows how many messages are unread: counted (one query) only when the page
    # shows the navigation, not when the home URL is looked up.
    result.append(
        {"label": _("Inbox"), "url": reverse("notify:inbox"), "id": "nav-inbox", "unread": partial(inbox_unread_count, actor=user)}
    )
    if user.is_staff:
        result.append({"label": _("Administration"), "url": reverse("admin:index")})
    return result


def home_url(user) -> str:
    items = nav_for(user)
    return items[0]["url"] if items else reverse("web:login")
