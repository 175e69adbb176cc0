"""Files people upload and download: the limits on number, size and type (checked by extension
and by content), storing them as :class:`~mashang.core.models.StoredFile` rows under random
names, and the responses that hand a file (or a generated workbook) out as a download."""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Sequence
from typing import Any, TypeVar
from urllib.parse import quote

from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, HttpResponse
from django.utils.translation import gettext_lazy as _

from mashang.core.models import StoredFile

M = TypeVar("M", bound=StoredFile)

MAX_FILES = 5
MAX_BYTES = 10 * 1024 * 1024

MSG_TOO_MANY = _("Attach at most {count} files.")
MSG_TOO_BIG = _("“{name}” is larger than {mb} MB.")
MSG_BAD_TYPE = _("“{name}” is not an allowed file type (PDF, JPG, PNG, Word or Excel).")
MSG_CONTENT_MISMATCH = _("The content of “{name}” does not match its file type.")
MSG_EMPTY = _("“{name}” is empty.")

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

#: The ``accept`` of a file input: the extensions of :data:`KINDS`.
ACCEPT = ".pdf,.jpg,.jpeg,.png,.doc,.docx,.xls,.xlsx"

XLSX = KINDS["xlsx"][0]


def basename(name: str) -> str:
    """The file's own name, without any folders a browser sent with it."""
    return name.replace("\\", "/").rsplit("/", 1)[-1]


def extension(name: str) -> str:
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
    kind = KINDS.get(extension(name))
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


def sha256(f: UploadedFile) -> str:
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
                original_name=basename(f.name)[-200:],
                content_type=KINDS[extension(f.name)][0],
                size=f.size,
                sha256=sha256(f),
            )
            row.file.save(f.name, f, save=False)
            created.append(row)
            row.save(force_insert=True)
    except Exception:
        for row in created:
            row.file.delete(save=False)
        raise
    return created


def content_disposition(name: str, *, ascii_name: str | None = None) -> str:
    """``attachment`` with the file name a browser saves under: ``name`` itself when it is
    plain ASCII and no ``ascii_name`` is given, else ``ascii_name`` for old clients and
    ``name`` (Chinese, say) percent-encoded in ``filename*`` (RFC 6266)."""
    if ascii_name is None:
        return f'attachment; filename="{name}"'
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def stored_file_response(stored: StoredFile, *, stem: str, missing: Exception) -> FileResponse:
    """The stored file as a download that never renders in the browser (nosniff, a sandbox
    policy, not cached). Its ASCII name is ``{stem}-{pk}.{extension}``; ``missing`` is raised
    when the file is gone from storage. Call it after the permission check: the file is read
    through the storage API (local disk or an S3 bucket) and streamed, never linked to."""
    try:
        handle = stored.file.open("rb")
    except FileNotFoundError as exc:
        raise missing from exc
    response = FileResponse(handle, content_type=stored.content_type)
    name = stored.original_name
    ext = name.rsplit(".", 1)[-1] if "." in name else "bin"
    ascii_name = f"{stem}-{stored.pk}.{quote(ext, safe='')}"
    response["Content-Disposition"] = content_disposition(name, ascii_name=ascii_name)
    response["Content-Length"] = str(stored.size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def export_response(content: bytes, *, filename: str, content_type: str = XLSX) -> HttpResponse:
    """A generated file (an Excel export) as a download named ``filename``, not cached."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename)
    response["Cache-Control"] = "private, no-store"
    return response
