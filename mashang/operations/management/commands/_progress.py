"""The progress the backup and restore commands show: each step as a line, and on a terminal
a running count of the files and bytes."""

from __future__ import annotations

import sys
import time

from django.utils.translation import gettext as _

from mashang.operations.backups import Progress


class CommandProgress(Progress):
    def __init__(self, stdout):
        self.stdout = stdout
        self.interactive = sys.stderr.isatty()
        self.shown = 0.0
        self.open_line = False

    def step(self, text: str) -> None:
        self._end_line()
        self.stdout.write(text)

    def files(self, done: int, total: int, size: int) -> None:
        now = time.monotonic()
        last = done == total
        if not self.interactive or (now - self.shown < 0.2 and not last):
            if not self.interactive and last and total:
                self.stdout.write(self._files_text(done, total, size))
            return
        self.shown = now
        sys.stderr.write("\r" + self._files_text(done, total, size))
        sys.stderr.flush()
        self.open_line = True
        if last:
            self._end_line()

    def _files_text(self, done: int, total: int, size: int) -> str:
        return _("Files: {done:,} of {total:,}, {mb:,.1f} MB").format(
            done=done, total=total, mb=size / 1e6
        )

    def _end_line(self) -> None:
        if self.open_line:
            sys.stderr.write("\n")
            self.open_line = False
