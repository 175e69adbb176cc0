"""Django's SQLite backend, with writers taking turns in order instead of polling.

SQLite lets one writer in at a time. A transaction here starts with ``BEGIN IMMEDIATE`` (it
takes the write lock at once, so a read never has to upgrade); a writer that finds the lock
taken is put to sleep by SQLite's busy handler and tries again after 1, 2, 5 … up to 100 ms,
so under load some writers wait far longer than the work in front of them (a tail of over a
second at 8 requests in flight). Here every process and thread of mashang first takes an
exclusive ``flock`` on a file beside the database: the kernel wakes the next writer the
moment the lock is released. SQLite's own lock and busy timeout still guard anything else
that writes to the file. An in-memory database (the tests) needs no such turn.
"""

from __future__ import annotations

import fcntl
import os

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    _turn_fd: int | None = None
    _turn_pid = 0
    _turn_held = False

    def _turn_take(self) -> None:
        if self.is_in_memory_db():
            return
        # A lock belongs to an open file: a process forked with this one's (a preloading
        # server's workers) opens its own, or the processes would share one turn.
        if self._turn_fd is None or self._turn_pid != os.getpid():
            self._turn_fd = os.open(f"{self.settings_dict['NAME']}.writers", os.O_RDWR | os.O_CREAT, 0o600)
            self._turn_pid = os.getpid()
        fcntl.flock(self._turn_fd, fcntl.LOCK_EX)
        self._turn_held = True

    def _turn_release(self) -> None:
        if self._turn_held and self._turn_fd is not None:
            fcntl.flock(self._turn_fd, fcntl.LOCK_UN)
        self._turn_held = False

    def _start_transaction_under_autocommit(self):
        self._turn_take()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._turn_release()
            raise

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._turn_release()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._turn_release()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._turn_release()
            if self._turn_fd is not None:
                os.close(self._turn_fd)
                self._turn_fd = None
