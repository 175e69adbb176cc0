"""Files filed with a demand: limits on number, size and type (by extension and by content)."""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mashang.audit.services import event_record
from mashang.core.errors import NotFound, PermissionDenied, ValidationFailed
from mashang.core.models import StoredFile
from mashang.demands.models import Attachment, Demand
from mashang.demands.permissions import visibility_filter
from mashang.org.models import User

M = TypeVar("M", bound=StoredFile)

MAX_FILES = 5
MAX_BYTES = 10 * 1024 * 1024

MSG_TOO_MANY = _("Attach at most {count} files.")
MSG_TOO_BIG = _("“{name}” is larger than {mb} MB.")
MSG_BAD_TYPE = _("“{name}” is not an allowed file type (PDF, JPG, PNG, Word or Excel).")
MSG_CONTENT_MISMATCH = _("The content of “{name}” does not match its file type.")
MSG_EMPTY = _("“{name}” is empty.")
MSG_MAY_NOT_ATTACH = _("Only the enterprise and the service team add files to a demand.")
MSG_NOT_FOUND = _("No such demand.")

ATTACH_ACTION = "attach"

_PDF = b"%PDF-"
_JPEG = b"\xff\xd8\xff"
_PNG = b"\x89PNG\r\n\x1a\n"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old Word and Excel files
_ZIP = b"PK\x03\x04"  # the new ones: a zip with word/ or xl/ inside

#: extension → (stored content type, the check of its first bytes, the folder an OOXML zip has)
KINDS: dict[str, tuple[str, bytes, str]] = {
    "pdf": ("application/pdf", _PDF, ""),
    "jpg": ("image/jpeg", _JPEG, ""),
    "jpeg": ("image/jpeg", _JPEG, ""),
    "png": ("image/png", _PNG, ""),
    "doc": ("application/msword", _OLE, ""),
    "xls": ("application/vnd.ms-excel", _OLE, ""),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        _ZIP,
        "word/",
    ),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP, "xl/"),
}


def _basename(name: str) -> str:
    return name.replace("\\", "/").rsplit("/", 1)[-1]


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _zip_has_folder(f: UploadedFile, folder: str) -> bool:
    f.seek(0)
    try:
        with zipfile.ZipFile(io.BytesIO(f.read())) as z:
            return any(n.startswith(folder) for n in z.namelist())
    except zipfile.BadZipFile:
        return False
    finally:
        f.seek(0)


def attachment_problem(f: UploadedFile) -> str | None:
    """Why this one file is refused, or None. Pure: reads the file, writes nothing."""
    name = f.name or ""
    kind = KINDS.get(_extension(name))
    if kind is None:
        return str(MSG_BAD_TYPE).format(name=name)
    if not f.size:
        return str(MSG_EMPTY).format(name=name)
    if f.size > MAX_BYTES:
        return str(MSG_TOO_BIG).format(name=name, mb=MAX_BYTES // (1024 * 1024))
    f.seek(0)
    head = f.read(16)
    f.seek(0)
    _content_type, magic, folder = kind
    if not head.startswith(magic) or (folder and not _zip_has_folder(f, folder)):
        return str(MSG_CONTENT_MISMATCH).format(name=name)
    return None


def attachments_check(files: Sequence[UploadedFile]) -> list[str]:
    """Every reason the set of files is refused (empty when all may be filed)."""
    problems: list[str] = []
    if len(files) > MAX_FILES:
        problems.append(str(MSG_TOO_MANY).format(count=MAX_FILES))
    for f in files:
        problem = attachment_problem(f)
        if problem:
            problems.append(problem)
    return problems


def _sha256(f: UploadedFile) -> str:
    digest = hashlib.sha256()
    f.seek(0)
    for chunk in f.chunks():
        digest.update(chunk)
    f.seek(0)
    return digest.hexdigest()


def files_store(model: type[M], files: Sequence[UploadedFile], **owner: Any) -> list[M]:
    """Store checked ``files`` as new rows of ``model`` (a :class:`~mashang.core.models.StoredFile`:
    a demand's attachments, a land-start step's documents) with the ``owner`` fields — the
    record they belong to, who uploaded them and when — under random names. Call it inside
    the change's transaction: if one fails, the rows roll back with it and the files stored
    so far are removed here."""
    created: list[M] = []
    try:
        for f in files:
            row = model(
                **owner,
                original_name=_basename(f.name)[-200:],
                content_type=KINDS[_extension(f.name)][0],
                size=f.size,
                sha256=_sha256(f),
            )
            row.file.save(f.name, f, save=False)
            created.append(row)
            row.save(force_insert=True)
    except Exception:
        for row in created:
            row.file.delete(save=False)
        raise
    return created


def demand_attach(
    *, actor: User, demand_id: int, files: Sequence[UploadedFile], at: datetime | None = None
) -> list[Attachment]:
    """Add files to a demand: all of them or, if one is refused, none.

    Records one ``attach`` event naming the files and bumps the version, like every change.
    """
    at = at or timezone.now()
    if not files:
        return []
    problems = attachments_check(files)
    if problems:
        raise ValidationFailed(problems[0], fields={"attachments": problems})
    with transaction.atomic():
        demand = (
            Demand.objects.select_for_update(of=("self",))
            .filter(visibility_filter(actor), pk=demand_id)
            .first()
        )
        if demand is None:
            raise NotFound(MSG_NOT_FOUND)
        own = actor.role == User.Role.ENTERPRISE and actor.enterprise_id == demand.enterprise_id
        if not (own or actor.role == User.Role.OFFICER):
            raise PermissionDenied(MSG_MAY_NOT_ATTACH)
        created = files_store(Attachment, files, demand=demand, uploaded_by=actor, uploaded_at=at)
        Demand.objects.filter(pk=demand.pk).update(version=F("version") + 1)
        event_record(
            subject_type="demand",
            subject_id=demand.pk,
            action=ATTACH_ACTION,
            actor=actor,
            at=at,
            from_state=demand.status,
            to_state=demand.status,
            payload={"files": [a.original_name for a in created]},
        )
    return created
