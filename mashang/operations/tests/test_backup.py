"""Backups that restore: a zone with demands and their files is backed up, restored into an
empty database and folder, and every table's row count and every file's checksum come back;
a damaged archive, one of the other database and a database holding data are refused."""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import tarfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import translation

from mashang.demands.models import Attachment, Status
from mashang.demands.services.attachments import demand_attach
from mashang.operations.backups import (
    MSG_CHECKSUM,
    MSG_HAS_DATA,
    MSG_OTHER_VENDOR,
    backup_create,
    backup_restore,
)
from mashang.org.models import User
from tests.kit.walk import submit, walk_to


@pytest.fixture(autouse=True)
def _english():
    """The commands' output is read in English, the messages' own text (zh-Hans is the default)."""
    with translation.override("en"):
        yield


pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def filled_zone(zone, media):
    """Demands in several states, and six files of different content with three of them."""
    for status in (Status.DISPATCHED, Status.REPLIED, Status.CLOSED, Status.RETURNED):
        walk_to(zone, status)
    for n in range(3):
        demand = submit(zone, title=f"第{n}号诉求")
        files = [
            SimpleUploadedFile(f"材料{n}-{k}.pdf", b"%PDF-1.4\n" + bytes([n, k]) * (500 + 1000 * k))
            for k in range(2)
        ]
        demand_attach(actor=zone.contact, demand_id=demand.pk, files=files)
    assert Attachment.objects.count() == 6
    return zone


@pytest.fixture
def empty_database(tmp_path):
    """An empty database of the vendor under test: a new SQLite file, or a new PostgreSQL
    database beside the test database (dropped afterwards)."""
    if connection.vendor == "sqlite":
        yield {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "restored.sqlite3")}
        return
    db = dict(connection.settings_dict)
    name = f"{db['NAME']}_restore"
    with _pg({**db, "NAME": "postgres"}) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield {**db, "NAME": name}
    with _pg({**db, "NAME": "postgres"}) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _pg(db):
    import psycopg

    return psycopg.connect(
        dbname=db["NAME"], host=db["HOST"] or None, port=db["PORT"] or None,
        user=db["USER"] or None, password=db["PASSWORD"] or None, autocommit=True,
    )  # fmt: skip


def live_counts() -> dict[str, int]:
    """Every table's row count in the database the tests run on."""
    with connection.cursor() as cursor:
        counts = {}
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT count(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
    return counts


def restored_counts(db, tables) -> dict[str, int | None]:
    """The same tables' row counts in the restored database, through a connection of its own."""
    if connection.vendor == "sqlite":
        conn = sqlite3.connect(db["NAME"])
        try:
            return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
        finally:
            conn.close()
    with _pg(db) as conn:
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def tree_checksums(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file()
    }


def test_a_backup_restores_into_an_empty_database_with_every_row_and_file(
    filled_zone, media, empty_database, tmp_path
):
    before = live_counts()
    files_before = tree_checksums(media)
    assert len(files_before) == 6 and before["demands_demand"] == 7

    made = backup_create(output=tmp_path / "backups" / "zone.tar")

    assert made.archive.name == "zone.tar" and made.archive.is_file()
    sha = hashlib.sha256(made.archive.read_bytes()).hexdigest()
    assert made.checksum_file.read_text() == f"{sha}  zone.tar\n"
    # Nothing else is left beside it: no partial archive, no work folder.
    assert sorted(p.name for p in made.archive.parent.iterdir()) == ["zone.tar", "zone.tar.sha256"]
    manifest = made.manifest
    assert manifest["database"]["vendor"] == connection.vendor
    assert {t: manifest["database"]["tables"][t] for t in before} == before
    assert "demands" in manifest["database"]["migrations"]
    assert {e["path"]: e["sha256"] for e in manifest["files"]["entries"]} == files_before

    restored_media = tmp_path / "restored-media"
    result = backup_restore(archive=made.archive, target=empty_database, media_root=restored_media)

    assert result.verified and result.tables_checked == len(manifest["database"]["tables"])
    assert result.files_restored == result.files_checked == 6
    assert restored_counts(empty_database, before) == before
    assert tree_checksums(restored_media) == files_before

    # Restoring again into the database that now holds the zone is refused without --force.
    with pytest.raises(Exception) as refused:
        backup_restore(archive=made.archive, target=empty_database, media_root=restored_media)
    people = before[User._meta.db_table]
    assert str(refused.value) == str(MSG_HAS_DATA).format(count=people)
    again = backup_restore(
        archive=made.archive, target=empty_database, media_root=restored_media, force=True
    )
    assert again.verified
    assert restored_counts(empty_database, before) == before


def test_a_damaged_archive_is_refused_and_nothing_is_restored(filled_zone, media, tmp_path):
    out = io.StringIO()
    call_command("backup", "--output", str(tmp_path), stdout=out)
    (archive,) = tmp_path.glob("mashang-*.tar")
    assert f"Backup written: {archive}" in out.getvalue()
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0xFF
    archive.write_bytes(bytes(data))
    people = User.objects.count()

    with pytest.raises(CommandError) as refused:
        call_command("restore", str(archive), "--force", stdout=io.StringIO())

    assert str(MSG_CHECKSUM).format(path=f"{archive}.sha256") in str(refused.value)
    assert User.objects.count() == people


def test_the_other_databases_archive_and_a_database_with_data_are_refused(
    filled_zone, media, tmp_path
):
    made = backup_create(output=tmp_path / "zone.tar")
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(made.archive), stdout=io.StringIO())
    assert str(MSG_HAS_DATA).format(count=User.objects.count()) in str(refused.value)

    # The same archive, its manifest saying the other vendor, with a checksum that matches.
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    forged = tmp_path / "other.tar"
    with tarfile.open(made.archive) as src, tarfile.open(forged, "w") as dst:
        for member in src.getmembers():
            content = src.extractfile(member).read()
            if member.name == "manifest.json":
                manifest = json.loads(content)
                manifest["database"]["vendor"] = other
                content = json.dumps(manifest).encode()
                member.size = len(content)
            dst.addfile(member, io.BytesIO(content))
    sha = hashlib.sha256(forged.read_bytes()).hexdigest()
    Path(f"{forged}.sha256").write_text(f"{sha}  other.tar\n")

    with pytest.raises(CommandError) as refused:
        call_command("restore", str(forged), "--force", stdout=io.StringIO())

    names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    expected = str(MSG_OTHER_VENDOR).format(theirs=names[other], ours=names[connection.vendor])
    assert expected in str(refused.value)
