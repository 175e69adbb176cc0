import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class StoredFile(models.Model):
    """A file someone uploaded, kept under a random name (each concrete model adds its
    ``file`` field, with its own folder, and the record the file belongs to)."""

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.original_name


def _held_path(instance: "PendingUpload", filename: str) -> str:
    """A random stored name, as for every stored file."""
    return f"held/{uuid.uuid4().hex}"


class PendingUpload(StoredFile):
    """A file chosen on a form that failed for another reason, held for its uploader until the
    form is sent again (browsers cannot refill a file input); then it becomes the record's
    file and the hold goes. Holds older than a day are purged
    (:func:`mashang.core.uploads.held_uploads_purge`)."""

    file = models.FileField(_("file"), upload_to=_held_path, max_length=200)

    class Meta:
        verbose_name = _("held upload")
        verbose_name_plural = _("held uploads")
        indexes = [models.Index(fields=["uploaded_at"], name="pending_upload_at_idx")]


class YearlySequence(models.Model):
    """The last number given out per year, for numbers ``{code}-YYYY-N…`` with ``digits``
    digits (see :mod:`mashang.core.numbering`)."""

    code: ClassVar[str]
    digits: ClassVar[int]

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.code}-{self.year}: {self.last}"


class IdempotencyRecord(models.Model):
    """The first answer to a request carrying an Idempotency-Key, returned again on a retry."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    endpoint = models.CharField(max_length=200)
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField(default=0)
    response_body = models.JSONField(default=dict)
    created_at = models.DateTimeField()

    class Meta:
        # Created by the api app's first migrations; moved here with its table unchanged.
        db_table = "api_idempotencyrecord"
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_one_per_user_key"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.key}"


class BackfillProgress(models.Model):
    """How far one long data change (a registered backfill, :mod:`mashang.core.backfill`) got:
    the last key a committed batch reached and the rows done, written in each batch's own
    transaction, so a run stopped at any point continues from here."""

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        RUNNING = "running", _("running")
        DONE = "done", _("done")

    name = models.CharField(_("name"), max_length=100, unique=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    last_key = models.BigIntegerField(_("last key"), default=0)
    rows_done = models.BigIntegerField(_("rows done"), default=0)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("backfill")
        verbose_name_plural = _("backfills")

    def __str__(self) -> str:
        return self.name
