"""Held uploads: the files chosen on a form that failed for another reason.

A browser cannot refill a file input, so a form that comes back with an error would drop the
files chosen on it. Instead, the page holds each acceptable file (:func:`uploads_hold`) and
sends the form back with the held ids; the person sees them kept (and may untick one) and
does not choose them again. When the form succeeds, :func:`held_files` opens the held files
for the service that stores them, and :func:`held_release` drops the holds once that change
is committed. Only the uploader's own holds count: another person's id is ignored. Holds
left behind are purged after a day (``mashang purge_held_uploads``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from mashang.core.files import MAX_FILES, attachment_problem, files_store
from mashang.core.models import PendingUpload

#: How long a hold is kept when its form is never sent again.
HOLD_FOR = timedelta(days=1)


def held_get(*, actor, ids: Iterable[int]) -> list[PendingUpload]:
    """The holds among ``ids`` that ``actor`` made (others' ids and unknown ones are ignored),
    oldest first."""
    wanted = {i for i in ids if isinstance(i, int)}
    if not wanted or not getattr(actor, "pk", None):
        return []
    return list(PendingUpload.objects.filter(pk__in=wanted, uploaded_by=actor).order_by("id"))


def uploads_hold(
    *,
    actor,
    files: Sequence[UploadedFile],
    held: Sequence[PendingUpload] = (),
    at: datetime | None = None,
) -> list[PendingUpload]:
    """Hold each acceptable file of ``files`` for ``actor`` (a refused one is not kept: it is
    chosen again after the fix), up to the number a form takes with what is ``held`` already.
    Returns every hold of the form: ``held`` and the new ones."""
    at = at or timezone.now()
    room = max(MAX_FILES - len(held), 0)
    keep = [f for f in files if attachment_problem(f) is None][:room]
    with transaction.atomic():
        created = files_store(PendingUpload, keep, uploaded_by=actor, uploaded_at=at)
    return [*held, *created]


class HeldFile(File):
    """A held file opened for reading under the name its uploader gave it."""

    def __init__(self, held: PendingUpload):
        held.file.open("rb")
        super().__init__(held.file.file, name=held.original_name)
        self.size = held.size


def held_files(held: Sequence[PendingUpload]) -> list[File]:
    """The held files, open, to store as the record's own (like freshly uploaded ones)."""
    return [HeldFile(h) for h in held]


def held_release(held: Sequence[PendingUpload]) -> None:
    """Drop the holds (their files become the record's): the rows now, in the caller's
    transaction; the stored files once it commits."""
    if not held:
        return
    files = [h.file for h in held]
    PendingUpload.objects.filter(pk__in=[h.pk for h in held]).delete()

    def remove() -> None:
        for f in files:
            f.close()
            f.delete(save=False)

    transaction.on_commit(remove)


def held_uploads_purge(*, at: datetime | None = None, older_than: timedelta = HOLD_FOR) -> int:
    """Remove the holds made before ``at - older_than`` and their files; how many there were."""
    at = at or timezone.now()
    old = list(PendingUpload.objects.filter(uploaded_at__lt=at - older_than))
    for h in old:
        h.file.delete(save=False)
    PendingUpload.objects.filter(pk__in=[h.pk for h in old]).delete()
    return len(old)
