"""Backups that restore: one dated archive of the database and the uploaded files, with a
manifest, and the restore that checks it before and after (docs/backups.md).

The archive is a plain tar holding

- ``database.sqlite3`` (SQLite, copied with SQLite's online backup API: a consistent copy
  while the app runs) or ``database.pgdump`` (PostgreSQL, ``pg_dump --format=custom`` of a
  snapshot exported by the transaction that counted the rows, so counts and dump agree);
- ``media/…``, the uploaded files, when the default storage is the local file system;
- ``manifest.json``: mashang's version, the database vendor, the migrations applied per app,
  every table's row count, every file's sha256 and size, and when it was made.

Beside it ``<archive>.sha256`` holds its checksum in ``sha256sum`` format. Nothing is ever left
under the final name half-written: the archive is written under a temporary name and renamed
at the end.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from django.apps import apps
from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connection, connections, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mashang.core.errors import ApplicationError

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA = "media/"
DUMPS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
VENDOR_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
CHUNK = 1024 * 1024

MSG_CHECKSUM = gettext_lazy(
    "The archive does not match its checksum ({path}): it is damaged or was changed. "
    "Nothing was restored."
)
MSG_OTHER_VENDOR = gettext_lazy(
    "This archive holds a {theirs} database and the configured database is {ours}: restore it "
    "into a {theirs} database (set DATABASE_URL)."
)
MSG_HAS_DATA = gettext_lazy(
    "The database already holds data ({count} people): restoring replaces all of it. Stop "
    "mashang and its worker, then run again with --force to replace it."
)


class BackupFailed(ApplicationError):
    """A backup or a restore that could not be carried out; nothing half-done is left behind."""


@dataclass
class Progress:
    """Where the work is; the command shows it. The default shows nothing."""

    def step(self, text: str) -> None:
        pass

    def files(self, done: int, total: int, size: int) -> None:
        pass


@dataclass
class BackupResult:
    archive: Path
    checksum_file: Path
    sha256: str
    size: int
    manifest: dict[str, Any]


@dataclass
class RestoreResult:
    manifest: dict[str, Any]
    tables_checked: int = 0
    #: table → (count in the manifest, count restored), for those that differ
    tables_differing: dict[str, tuple[int, int | None]] = field(default_factory=dict)
    files_restored: int = 0
    files_checked: int = 0
    #: relative path → what is wrong with it ("missing" or "checksum")
    files_differing: dict[str, str] = field(default_factory=dict)
    files_skipped_note: str = ""
    migrations_unknown: list[str] = field(default_factory=list)
    migrations_to_apply: int = 0

    @property
    def verified(self) -> bool:
        return not self.tables_differing and not self.files_differing


# --- shared pieces ------------------------------------------------------------------------


def vendor_of(db: dict[str, Any]) -> str:
    """``sqlite`` or ``postgresql`` for a database's settings (``settings.DATABASES`` shape)."""
    engine = db.get("ENGINE", "")
    if "sqlite" in engine:
        return "sqlite"
    if "postgresql" in engine:
        return "postgresql"
    raise BackupFailed(
        _("Backups know SQLite and PostgreSQL only, not {engine}.").format(engine=engine)
    )


def mashang_version() -> str:
    try:
        return version("mashang")
    except PackageNotFoundError:
        return "unknown"


def local_media_root() -> Path | None:
    """The folder of the uploaded files when the default storage is the local file system,
    else None (an object store: its own versioning or replication backs it up)."""
    if isinstance(default_storage, FileSystemStorage):
        return Path(default_storage.location)
    return None


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _media_files(root: Path) -> list[tuple[Path, str]]:
    """Every file under ``root`` with its path relative to it, in a stable order."""
    found = []
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        for name in sorted(names):
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                found.append((path, path.relative_to(root).as_posix()))
    return found


class _HashingWriter(io.RawIOBase):
    """A file written through: the sha256 of every byte is computed on the way."""

    def __init__(self, f: BinaryIO):
        self.f = f
        self.digest = hashlib.sha256()
        self.written = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.digest.update(data)
        self.f.write(data)
        self.written += len(data)
        return len(data)

    def tell(self) -> int:
        return self.written


class _HashingReader:
    """A file read through: its sha256 computed as tarfile copies it."""

    def __init__(self, f: BinaryIO):
        self.f = f
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.f.read(size)
        self.digest.update(data)
        return data


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _pg_args(db: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """The connection options of pg_dump / pg_restore and their environment: the password
    goes in PGPASSWORD, never on the command line."""
    args = ["--no-password"]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = dict(os.environ)
    env.pop("PGPASSWORD", None)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise BackupFailed(_("{program} is not installed.").format(program=command[0])) from None
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        raise BackupFailed(
            _("{what} failed: {detail}").format(what=what, detail=" / ".join(detail))
        )


# --- reading a database's state -----------------------------------------------------------


def _sqlite_state(db: sqlite3.Connection) -> tuple[dict[str, int], dict[str, list[str]]]:
    tables = [
        row[0]
        for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    return _state(db.cursor(), tables)


def _pg_tables(cursor) -> list[str]:
    cursor.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
    )
    return [row[0] for row in cursor.fetchall()]


def _state(cursor, tables: list[str]) -> tuple[dict[str, int], dict[str, list[str]]]:
    """Every table's row count, and the migrations applied per app."""
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT count(*) FROM {_quote(table)}")
        counts[table] = cursor.fetchone()[0]
    migrations: dict[str, list[str]] = {}
    if "django_migrations" in counts:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
        for app, name in cursor.fetchall():
            migrations.setdefault(app, []).append(name)
    return counts, migrations


def _sqlite_path(db: dict[str, Any]) -> tuple[str, bool]:
    name = str(db["NAME"])
    return name, name.startswith("file:")


def _pg_connect(db: dict[str, Any]):
    import psycopg

    return psycopg.connect(
        dbname=db["NAME"],
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        autocommit=True,
    )


def database_state(db: dict[str, Any]) -> tuple[dict[str, int], dict[str, list[str]]]:
    """Row counts per table and migrations per app of the database ``db`` (settings shape),
    read through a connection of its own."""
    if vendor_of(db) == "sqlite":
        name, uri = _sqlite_path(db)
        conn = sqlite3.connect(name, uri=uri)
        try:
            return _sqlite_state(conn)
        finally:
            conn.close()
    with _pg_connect(db) as conn, conn.cursor() as cursor:
        return _state(cursor, _pg_tables(cursor))


def people_in(db: dict[str, Any]) -> int:
    """How many people (user accounts) the database holds: a database with none has no data
    worth keeping (a new one, or one just migrated)."""
    table = apps.get_model(settings.AUTH_USER_MODEL)._meta.db_table
    counts, _migrations = database_state(db)
    return counts.get(table, 0)


# --- backup -------------------------------------------------------------------------------


def _dump_sqlite(work: Path) -> tuple[Path, dict[str, int], dict[str, list[str]]]:
    """A consistent copy of the live database through the online backup API, counted from
    the copy itself."""
    target = work / DUMPS["sqlite"]
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
        # One self-contained file, whatever journal mode the live one runs in.
        copy.execute("PRAGMA journal_mode=DELETE")
        counts, migrations = _sqlite_state(copy)
    finally:
        copy.close()
    return target, counts, migrations


def _dump_postgresql(work: Path) -> tuple[Path, dict[str, int], dict[str, list[str]]]:
    """pg_dump of the snapshot this transaction exported, and the counts read in it."""
    target = work / DUMPS["postgresql"]
    db = connection.settings_dict
    args, env = _pg_args(db)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts, migrations = _state(cursor, _pg_tables(cursor))
        _run(
            [
                shutil.which("pg_dump") or "pg_dump",
                "--format=custom",
                f"--snapshot={snapshot}",
                f"--file={target}",
                *args,
                "--dbname",
                str(db["NAME"]),
            ],
            env,
            "pg_dump",
        )
    return target, counts, migrations


def default_archive_path(at: datetime) -> Path:
    stamp = timezone.localtime(at).strftime("%Y%m%d-%H%M%S")
    return Path(settings.DATA_DIR) / "backups" / f"mashang-{stamp}.tar"


def backup_create(
    *,
    output: Path | str | None = None,
    at: datetime | None = None,
    progress: Progress | None = None,
) -> BackupResult:
    """Write one archive of the database and the uploaded files (see the module's doc) and its
    ``.sha256`` beside it. ``output`` is the archive's path, or a folder to put the dated
    archive in; by default ``<data dir>/backups/mashang-YYYYMMDD-HHMMSS.tar``."""
    at = at or timezone.now()
    progress = progress or Progress()
    vendor = connection.vendor
    if vendor not in DUMPS:
        raise BackupFailed(
            _("Backups know SQLite and PostgreSQL only, not {engine}.").format(engine=vendor)
        )
    final = Path(output) if output else default_archive_path(at)
    if final.is_dir() or str(output or "").endswith(("/", os.sep)):
        final = final / default_archive_path(at).name
    if final.exists():
        raise BackupFailed(_("{path} exists already: choose another --output.").format(path=final))
    final.parent.mkdir(parents=True, exist_ok=True)
    checksum_file = final.with_name(final.name + ".sha256")
    partial = final.with_name(f".{final.name}.{uuid.uuid4().hex[:8]}.part")
    partial_checksum = checksum_file.with_name(partial.name + ".sha256")
    media_root = local_media_root()
    try:
        with tempfile.TemporaryDirectory(dir=final.parent, prefix=".mashang-backup-") as work:
            progress.step(_("Copying the {vendor} database…").format(vendor=VENDOR_NAMES[vendor]))
            dump = _dump_sqlite if vendor == "sqlite" else _dump_postgresql
            dump_path, counts, migrations = dump(Path(work))
            progress.step(
                _("Database copied: {tables} tables, {rows:,} rows, {size:,} bytes.").format(
                    tables=len(counts), rows=sum(counts.values()), size=dump_path.stat().st_size
                )
            )
            with open(partial, "wb") as raw:
                out = _HashingWriter(raw)
                with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar:
                    tar.add(dump_path, arcname=DUMPS[vendor])
                    files = _add_media(tar, media_root, progress)
                    manifest = {
                        "format": FORMAT,
                        "mashang_version": mashang_version(),
                        "created_at": timezone.localtime(at).isoformat(),
                        "database": {
                            "vendor": vendor,
                            "dump": DUMPS[vendor],
                            "migrations": migrations,
                            "tables": counts,
                        },
                        "files": files,
                    }
                    data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
                    info = tarfile.TarInfo(MANIFEST)
                    info.size = len(data)
                    info.mtime = int(at.timestamp())
                    info.mode = 0o644
                    tar.addfile(info, io.BytesIO(data))
                raw.flush()
                os.fsync(raw.fileno())
        sha = out.digest.hexdigest()
        partial_checksum.write_text(f"{sha}  {final.name}\n")
        os.replace(partial_checksum, checksum_file)
        os.replace(partial, final)
    except BaseException:
        partial.unlink(missing_ok=True)
        partial_checksum.unlink(missing_ok=True)
        raise
    return BackupResult(final, checksum_file, sha, final.stat().st_size, manifest)


def _add_media(tar: tarfile.TarFile, root: Path | None, progress: Progress) -> dict[str, Any]:
    if root is None:
        return {
            "included": False,
            "storage": f"{type(default_storage._wrapped).__module__}.{type(default_storage._wrapped).__name__}",
            "note": "The uploaded files live in the object store and are not in this archive: "
            "the bucket's own versioning or replication keeps their copies.",
            "entries": [],
        }
    found = _media_files(root) if root.exists() else []
    entries = []
    size_done = 0
    progress.files(0, len(found), 0)
    for done, (path, rel) in enumerate(found, 1):
        info = tar.gettarinfo(path, arcname=MEDIA + rel)
        with open(path, "rb") as f:
            reader = _HashingReader(f)
            tar.addfile(info, reader)
        entries.append({"path": rel, "size": info.size, "sha256": reader.digest.hexdigest()})
        size_done += info.size
        progress.files(done, len(found), size_done)
    return {"included": True, "count": len(entries), "bytes": size_done, "entries": entries}


# --- restore ------------------------------------------------------------------------------


def archive_verify(archive: Path) -> str:
    """The archive's sha256 once it matches the one written beside it; refuses otherwise."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupFailed(_("No archive at {path}.").format(path=archive))
    checksum_file = archive.with_name(archive.name + ".sha256")
    if not checksum_file.is_file():
        raise BackupFailed(
            _("{path} is missing: the archive cannot be checked, so it is not restored.").format(
                path=checksum_file
            )
        )
    expected = checksum_file.read_text().split()[:1]
    actual = file_sha256(archive)
    if expected != [actual]:
        raise BackupFailed(str(MSG_CHECKSUM).format(path=checksum_file))
    return actual


def archive_manifest(tar: tarfile.TarFile) -> dict[str, Any]:
    try:
        manifest = json.load(tar.extractfile(MANIFEST))
    except (KeyError, ValueError, TypeError):
        raise BackupFailed(
            _("This is not a mashang backup: it has no readable manifest.")
        ) from None
    if manifest.get("format") != FORMAT:
        raise BackupFailed(
            _("This archive is of format {format}; this mashang reads format {ours}.").format(
                format=manifest.get("format"), ours=FORMAT
            )
        )
    return manifest


def _migrations_compare(manifest: dict[str, Any]) -> tuple[list[str], int]:
    """The archive's applied migrations this code does not know (it was made by a newer
    mashang), and how many of this code's migrations the archive has not applied."""
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    archived = {
        (app, name) for app, names in manifest["database"]["migrations"].items() for name in names
    }
    return sorted(f"{app}.{name}" for app, name in archived - known), len(known - archived)


@contextlib.contextmanager
def _writers_turn(name: str, uri: bool) -> Iterator[None]:
    """The turn the app's own writers take on an SQLite file (mashang.core.sqlite): held while
    the restored pages are written, so no request writes in between."""
    if uri or name == ":memory:":
        yield
        return
    fd = os.open(f"{name}.writers", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _restore_sqlite(dump: Path, db: dict[str, Any]) -> None:
    name, uri = _sqlite_path(db)
    if not uri and name != ":memory:":
        Path(name).parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(dump)
    target = sqlite3.connect(name, uri=uri, timeout=60)
    try:
        with _writers_turn(name, uri):
            source.backup(target)
    except sqlite3.Error as e:
        raise BackupFailed(_("Writing the SQLite database failed: {error}").format(error=e)) from e
    finally:
        target.close()
        source.close()


def _restore_postgresql(dump: Path, db: dict[str, Any]) -> None:
    args, env = _pg_args(db)
    _run(
        [
            shutil.which("pg_restore") or "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            *args,
            "--dbname",
            str(db["NAME"]),
            str(dump),
        ],
        env,
        "pg_restore",
    )


def _media_member_path(root: Path, member: tarfile.TarInfo) -> Path:
    rel = PurePosixPath(member.name[len(MEDIA) :])
    if not member.isreg() or not rel.parts or rel.is_absolute() or ".." in rel.parts:
        raise BackupFailed(
            _("The archive holds an unsafe file name: {name}.").format(name=member.name)
        )
    return root.joinpath(*rel.parts)


def _restore_files(tar: tarfile.TarFile, root: Path, total: int, progress: Progress) -> int:
    restored = size = 0
    progress.files(0, total, 0)
    for member in tar.getmembers():
        if not member.name.startswith(MEDIA):
            continue
        dest = _media_member_path(root, member)
        dest.parent.mkdir(parents=True, exist_ok=True)
        partial = dest.with_name(f".{dest.name}.restoring")
        with tar.extractfile(member) as src, open(partial, "wb") as out:
            shutil.copyfileobj(src, out, CHUNK)
        os.replace(partial, dest)
        restored += 1
        size += member.size
        progress.files(restored, total, size)
    return restored


def backup_restore(
    *,
    archive: Path,
    force: bool = False,
    with_files: bool = True,
    target: dict[str, Any] | None = None,
    media_root: Path | None = None,
    progress: Progress | None = None,
) -> RestoreResult:
    """Restore an archive of :func:`backup_create` into the configured database and file
    folder (or ``target``, a database in ``settings.DATABASES`` shape, and ``media_root``),
    then check every table's row count and every file's checksum against the manifest.

    Refuses a damaged archive (checksum), one of the other database vendor, and a database
    that already holds people unless ``force``."""
    progress = progress or Progress()
    configured = target is None
    db = dict(connection.settings_dict if configured else target)
    vendor = vendor_of(db)
    progress.step(_("Checking the archive against its checksum…"))
    archive_verify(archive)
    with tarfile.open(archive, "r:") as tar:
        manifest = archive_manifest(tar)
        theirs = manifest["database"]["vendor"]
        if theirs != vendor:
            raise BackupFailed(
                str(MSG_OTHER_VENDOR).format(
                    theirs=VENDOR_NAMES.get(theirs, theirs), ours=VENDOR_NAMES[vendor]
                )
            )
        files = manifest["files"]
        root = Path(media_root) if media_root else local_media_root()
        with_files = with_files and files["included"]
        if with_files and files["entries"] and root is None:
            raise BackupFailed(
                _(
                    "The archive holds {count} uploaded files but the files are kept in an object "
                    "store here: restore with --no-files and copy the archive's media/ folder "
                    "into the bucket."
                ).format(count=len(files["entries"]))
            )
        try:
            people = people_in(db)
        except Exception as e:  # the database is not there, or refuses us
            raise BackupFailed(_("Cannot read the target database: {error}").format(error=e)) from e
        if people and not force:
            raise BackupFailed(str(MSG_HAS_DATA).format(count=people))
        result = RestoreResult(manifest)
        result.migrations_unknown, result.migrations_to_apply = _migrations_compare(manifest)
        if configured:
            connections.close_all()
        progress.step(_("Restoring the {vendor} database…").format(vendor=VENDOR_NAMES[vendor]))
        with tempfile.TemporaryDirectory(prefix="mashang-restore-") as work:
            dump = Path(work) / DUMPS[vendor]
            member = tar.extractfile(manifest["database"]["dump"])
            if member is None:
                raise BackupFailed(_("The archive has no database in it."))
            with member, open(dump, "wb") as out:
                shutil.copyfileobj(member, out, CHUNK)
            (_restore_sqlite if vendor == "sqlite" else _restore_postgresql)(dump, db)
        if with_files:
            progress.step(_("Restoring the uploaded files…"))
            result.files_restored = _restore_files(tar, root, len(files["entries"]), progress)
        elif not files["included"]:
            result.files_skipped_note = files.get("note", "")
    progress.step(_("Checking what was restored against the manifest…"))
    counts, _migrations = database_state(db)
    for table, expected in manifest["database"]["tables"].items():
        result.tables_checked += 1
        if counts.get(table) != expected:
            result.tables_differing[table] = (expected, counts.get(table))
    if with_files:
        for entry in files["entries"]:
            result.files_checked += 1
            path = root.joinpath(*PurePosixPath(entry["path"]).parts)
            if not path.is_file():
                result.files_differing[entry["path"]] = "missing"
            elif path.stat().st_size != entry["size"] or file_sha256(path) != entry["sha256"]:
                result.files_differing[entry["path"]] = "checksum"
    return result
