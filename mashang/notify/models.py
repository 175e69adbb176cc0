"""The outbox: every message mashang sends, written in the transaction of the change it tells of.

A :class:`Notification` is one message to one recipient over one channel: a person's
in-app inbox or e-mail, or a work group's chat robot (:class:`ChatRobot`). Workers deliver
the due rows, retry failures with backoff and, after too many attempts, leave them dead
for an administrator to requeue.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Platform(models.TextChoices):
    """The chat platforms whose group robots (webhooks) mashang can post to."""

    WECOM = "wecom", _("WeCom")
    DINGTALK = "dingtalk", _("DingTalk")
    FEISHU = "feishu", _("Feishu / Lark")


class Channel(models.TextChoices):
    INBOX = "inbox", _("In-app inbox")
    EMAIL = "email", _("E-mail")
    WECOM = "wecom", _("WeCom group robot")
    DINGTALK = "dingtalk", _("DingTalk group robot")
    FEISHU = "feishu", _("Feishu group robot")


ROBOT_CHANNELS = frozenset({Channel.WECOM, Channel.DINGTALK, Channel.FEISHU})
PERSON_CHANNELS = frozenset({Channel.INBOX, Channel.EMAIL})


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    RETRYING = "retrying", _("Failed, will retry")
    DEAD = "dead", _("Dead (gave up)")


# Rows a delivery pass may take: new ones, ones waiting for their retry, and ones whose
# sender took them but never finished (its lease ran out: it crashed or hung).
DUE_STATUSES = (DeliveryStatus.PENDING, DeliveryStatus.RETRYING, DeliveryStatus.SENDING)


class ChatRobot(models.Model):
    """A work group's custom robot: a webhook URL and, where the platform signs, its secret."""

    name = models.CharField(_("name"), max_length=100)
    platform = models.CharField(_("platform"), max_length=10, choices=Platform.choices)
    webhook_url = models.URLField(
        _("webhook URL"),
        max_length=500,
        help_text=_("The address the platform gave when the robot was added to the group."),
    )
    secret = models.CharField(
        _("signing secret"),
        max_length=200,
        blank=True,
        help_text=_("DingTalk (SEC…) and Feishu sign each message with it; WeCom does not sign."),
    )
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="chat_robots",
        help_text=_("The unit whose work group this is; messages for the unit go to it."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    receives_messages = models.BooleanField(
        _("receives messages"),
        default=True,
        help_text=_("The unit's head may stop mashang's messages to this group without removing the robot."),
    )
    per_minute = models.PositiveSmallIntegerField(
        _("messages per minute"),
        null=True,
        blank=True,
        help_text=_("At most this many messages in any minute. Empty: the platform's limit (DingTalk and WeCom 20, Feishu 100)."),
    )
    per_second = models.PositiveSmallIntegerField(
        _("messages per second"),
        null=True,
        blank=True,
        help_text=_("At most this many messages in any second. Empty: the platform's limit (Feishu 5, the others none)."),
    )

    class Meta:
        verbose_name = _("chat robot")
        verbose_name_plural = _("chat robots")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_platform_display()})"


class RobotPace(models.Model):
    """What a chat robot has sent lately, shared by every worker: a worker locks this row
    (``SELECT … FOR UPDATE``) to take its turn, so no two workers together send faster than
    the platform allows (``mashang.notify.pacing``)."""

    robot = models.OneToOneField(ChatRobot, primary_key=True, on_delete=models.CASCADE, related_name="pace")
    #: When each recent message was sent (POSIX seconds, oldest first): the platform counts a
    #: rolling minute, and so do we.
    recent = models.JSONField(default=list, blank=True)
    paused_until = models.DateTimeField(_("paused until"), null=True, blank=True)
    pause_reason = models.CharField(_("pause reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("chat robot pace")
        verbose_name_plural = _("chat robot paces")

    def __str__(self) -> str:
        return str(self.robot_id)


class Message(models.Model):
    """One logical message waiting to be fanned out by the worker: its text and its audience
    (:class:`mashang.notify.recipients.Audience`), written in the transaction of the change
    it tells of. Fanning out writes its :class:`Notification` rows (an inbox row per person,
    an e-mail row, a row per chat robot) and marks it; it stays as the record of what was said.
    Without a worker pool (the embedded default) a message is fanned out at once, in the
    change's transaction, and no row is written here.
    """

    kind = models.CharField(_("kind"), max_length=50)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    audience = models.JSONField(_("audience"), default=dict)
    topic = models.CharField(_("topic"), max_length=60, blank=True)
    dedupe_key = models.CharField(_("deduplication key"), max_length=200, unique=True)
    created_at = models.DateTimeField(_("created at"))
    fanned_out_at = models.DateTimeField(_("fanned out at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [
            models.Index(
                fields=["id"], name="message_to_fan_out_idx", condition=models.Q(fanned_out_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.subject}"


class Notification(models.Model):
    kind = models.CharField(_("kind"), max_length=50, help_text="demand.dispatched, supervision.notice…")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    robot = models.ForeignKey(
        ChatRobot,
        verbose_name=_("chat robot"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    #: What the message is about, said by the app that wrote it ("demand:123"): the inbox
    #: groups a person's messages by it and marks them read together. Empty: the message alone.
    topic = models.CharField(_("topic"), max_length=60, blank=True)
    dedupe_key = models.CharField(_("deduplication key"), max_length=255, unique=True)

    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    lease = models.CharField(max_length=32, blank=True, editable=False)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notification_due_idx"),
            models.Index(fields=["recipient", "channel", "read_at"], name="notification_inbox_idx"),
            models.Index(fields=["recipient", "channel", "topic", "read_at"], name="notification_topic_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                name="notification_person_xor_robot",
                condition=(
                    models.Q(channel__in=["inbox", "email"], recipient__isnull=False, robot__isnull=True)
                    | models.Q(
                        channel__in=["wecom", "dingtalk", "feishu"], recipient__isnull=True, robot__isnull=False
                    )
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient or self.robot} ({self.channel})"


class NotificationPreference(models.Model):
    """How one person wants to be told, beyond the inbox (always on): e-mail on or off."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    email = models.BooleanField(
        _("e-mail"), default=True, help_text=_("Send my messages by e-mail too (when I have an address).")
    )
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.user)
