from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from mashang.operations.backups import BackupFailed, backup_restore

from ._progress import CommandProgress


class Command(BaseCommand):
    """Restore an archive of `mashang backup` into the configured database and file folder.
    Checks the archive against its .sha256 first and refuses a damaged one or one of the other
    database (SQLite / PostgreSQL); refuses a database that already holds data unless --force.
    Afterwards checks every table's row count and every file's checksum against the manifest.
    Stop mashang and its worker while it runs."""

    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path, help="the .tar written by `mashang backup`")
        parser.add_argument(
            "--force", action="store_true", help="replace a database that already holds data"
        )
        parser.add_argument(
            "--no-files",
            action="store_true",
            help="restore the database only, not the uploaded files",
        )

    def handle(self, *args, archive, force=False, no_files=False, **options):
        try:
            result = backup_restore(
                archive=archive,
                force=force,
                with_files=not no_files,
                progress=CommandProgress(self.stdout),
            )
        except (BackupFailed, OSError) as e:
            raise CommandError(_("Restore refused or failed: {error}").format(error=e)) from e
        manifest = result.manifest
        self.stdout.write(
            _("Restored the backup of {created_at} (mashang {version}).").format(
                created_at=manifest["created_at"], version=manifest["mashang_version"]
            )
        )
        same_tables = result.tables_checked - len(result.tables_differing)
        self.stdout.write(
            _("Tables: {same} of {total} have the row counts of the manifest.").format(
                same=same_tables, total=result.tables_checked
            )
        )
        for table, (expected, found) in sorted(result.tables_differing.items()):
            self.stderr.write(
                _("  {table}: {found} rows, the manifest says {expected}").format(
                    table=table, found=found, expected=expected
                )
            )
        if result.files_skipped_note:
            self.stdout.write(_("Files: not in the archive (they live in the object store)."))
        elif no_files:
            self.stdout.write(_("Files: not restored (--no-files)."))
        else:
            same_files = result.files_checked - len(result.files_differing)
            self.stdout.write(
                _("Files: {same} of {total} restored with the checksums of the manifest.").format(
                    same=same_files, total=result.files_checked
                )
            )
            for path, problem in sorted(result.files_differing.items()):
                self.stderr.write(f"  {path}: {problem}")
        if result.migrations_unknown:
            self.stderr.write(
                _(
                    "The archive was made by a newer mashang: this one does not know the "
                    "migrations {names}. Run the version that made it."
                ).format(names=", ".join(result.migrations_unknown[:5]))
            )
        elif result.migrations_to_apply:
            self.stdout.write(
                _(
                    "The archive is {count} migrations behind this mashang: run `mashang migrate`."
                ).format(count=result.migrations_to_apply)
            )
        if not result.verified:
            raise CommandError(_("The restored data does not match the manifest (see above)."))
