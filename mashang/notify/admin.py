from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from mashang.core.admin import ReadOnlyAdmin
from mashang.core.errors import ApplicationError
from mashang.notify.models import DUE_STATUSES, ChatRobot, DeliveryStatus, Message, Notification
from mashang.notify.pacing import next_send_at, robot_limits
from mashang.notify.services import notification_requeue


class ChatRobotForm(forms.ModelForm):
    webhook_url = forms.URLField(label=_("webhook URL"), max_length=500, assume_scheme="https")

    class Meta:
        model = ChatRobot
        fields = [
            "name", "platform", "webhook_url", "secret", "unit", "is_active", "receives_messages",
            "per_minute", "per_second",
        ]
        widgets = {"secret": forms.PasswordInput(render_value=True)}


@admin.register(ChatRobot)
class ChatRobotAdmin(admin.ModelAdmin):
    """The work groups' robots, and per robot its outbox: messages waiting, sent, dead, and when
    it may send next (its platform's limit or a "too fast" pause: decision 0019)."""

    form = ChatRobotForm
    list_display = [
        "name", "platform", "unit", "is_active", "receives_messages",
        "waiting", "sent", "dead", "next_send",
    ]
    list_filter = ["platform", "is_active", "receives_messages"]
    search_fields = ["name", "unit__name"]
    list_select_related = ["unit", "pace"]

    def get_queryset(self, request):
        due = [s.value for s in DUE_STATUSES]
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_waiting=Count("notifications", filter=Q(notifications__status__in=due)),
                n_sent=Count("notifications", filter=Q(notifications__status=DeliveryStatus.SENT)),
                n_dead=Count("notifications", filter=Q(notifications__status=DeliveryStatus.DEAD)),
            )
        )

    @admin.display(description=_("waiting"), ordering="n_waiting")
    def waiting(self, robot):
        return robot.n_waiting

    @admin.display(description=_("sent"), ordering="n_sent")
    def sent(self, robot):
        return robot.n_sent

    @admin.display(description=_("dead"), ordering="n_dead")
    def dead(self, robot):
        return robot.n_dead

    @admin.display(description=_("may send next"))
    def next_send(self, robot):
        now = timezone.now()
        pace = getattr(robot, "pace", None)
        when = next_send_at(pace, robot_limits(robot), now)
        if when <= now:
            return _("now")
        text = date_format(timezone.localtime(when), "DATETIME_FORMAT")
        if pace is not None and pace.paused_until and pace.paused_until > now:
            return format_html("{} ({})", text, pace.pause_reason)
        return text


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """The outbox, read-only. Filter on status "dead" to see what was given up, and requeue it."""

    list_display = ["id", "kind", "channel", "recipient", "robot", "status", "attempts", "next_attempt_at", "created_at", "sent_at"]
    list_filter = ["status", "channel", "kind"]
    search_fields = ["subject", "dedupe_key", "recipient__username", "robot__name"]
    list_select_related = ["recipient", "robot"]
    date_hierarchy = "created_at"
    actions = ["requeue"]
    readonly_fields = [
        "kind", "channel", "recipient", "robot", "subject", "body", "link", "payload", "dedupe_key",
        "status", "attempts", "next_attempt_at", "last_error", "created_at", "sent_at", "read_at",
    ]

    @admin.action(description=_("Requeue the selected dead messages"), permissions=["view"])
    def requeue(self, request, queryset):
        try:
            count = notification_requeue(
                actor=request.user,
                notification_ids=list(queryset.filter(status=DeliveryStatus.DEAD).values_list("id", flat=True)),
            )
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        self.message_user(
            request,
            ngettext("%(count)d message requeued.", "%(count)d messages requeued.", count) % {"count": count},
            messages.SUCCESS,
        )


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    """The messages moves wrote for the worker to fan out (with a broker), read-only: one still
    without "fanned out at" is waiting for the worker."""

    list_display = ["id", "kind", "subject", "created_at", "fanned_out_at"]
    list_filter = ["kind", ("fanned_out_at", admin.EmptyFieldListFilter)]
    search_fields = ["subject", "dedupe_key"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "kind", "subject", "body", "link", "payload", "audience", "dedupe_key", "created_at", "fanned_out_at",
    ]
