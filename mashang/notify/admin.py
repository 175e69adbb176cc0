from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from mashang.core.admin import ReadOnlyAdmin
from mashang.core.errors import ApplicationError
from mashang.notify.models import ChatRobot, DeliveryStatus, Message, Notification
from mashang.notify.services import notification_requeue


class ChatRobotForm(forms.ModelForm):
    webhook_url = forms.URLField(label=_("webhook URL"), max_length=500, assume_scheme="https")

    class Meta:
        model = ChatRobot
        fields = ["name", "platform", "webhook_url", "secret", "unit", "is_active", "receives_messages"]
        widgets = {"secret": forms.PasswordInput(render_value=True)}


@admin.register(ChatRobot)
class ChatRobotAdmin(admin.ModelAdmin):
    form = ChatRobotForm
    list_display = ["name", "platform", "unit", "is_active", "receives_messages"]
    list_filter = ["platform", "is_active", "receives_messages"]
    search_fields = ["name", "unit__name"]
    list_select_related = ["unit"]


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
