from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from mashang.operations.backups import BackupFailed, backup_create

from ._progress import CommandProgress


class Command(BaseCommand):
    """Back up the database and the uploaded files into one dated archive
    (<data dir>/backups/mashang-YYYYMMDD-HHMMSS.tar, or --output) with a manifest (version,
    migrations, every table's row count, every file's sha256) and its checksum beside it
    (<archive>.sha256). Safe while mashang runs. Restore it with `mashang restore ARCHIVE`."""

    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            help="the archive's path, or a folder to put the dated archive in",
        )

    def handle(self, *args, output=None, **options):
        try:
            result = backup_create(output=output, progress=CommandProgress(self.stdout))
        except (BackupFailed, OSError) as e:
            raise CommandError(
                _("Backup failed, no archive was written: {error}").format(error=e)
            ) from e
        files = result.manifest["files"]
        tables = result.manifest["database"]["tables"]
        if files["included"]:
            files_text = _("{count:,} files ({mb:,.1f} MB)").format(
                count=files["count"], mb=files["bytes"] / 1e6
            )
        else:
            files_text = _(
                "no files: they live in the object store, whose own versioning or replication "
                "keeps them"
            )
        self.stdout.write(
            _(
                "Backup written: {path} ({mb:,.1f} MB): {tables} tables, {rows:,} rows, {files}."
            ).format(
                path=result.archive,
                mb=result.size / 1e6,
                tables=len(tables),
                rows=sum(tables.values()),
                files=files_text,
            )
        )
        self.stdout.write(_("Checksum: {path}").format(path=result.checksum_file))
