"""Uploaded files that exist exactly when the rows naming them do.

:class:`CommitFileSystemStorage` (the default storage) writes a file saved inside a transaction only when
that transaction commits: a service refused after its photos were attached, or any outer transaction rolled
back, leaves no orphan file on disk. Outside a transaction it writes at once, like Django's storage. Names
are chosen when the row is saved (random, ``jiangyan.helpers.uploads.RandomUploadPath``), so the row and the
file agree."""

import logging
import threading
from functools import partial

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import transaction

logger = logging.getLogger(__name__)
_at_once = threading.local()


class CommitFileSystemStorage(FileSystemStorage):
    def save_now(self, name, content, max_length=None) -> str:
        """Write at once, whatever transaction is open: for a file no row's transaction owns (the demo's
        shared pool of drawn pictures, saved once and named by content)."""
        _at_once.active = True
        try:
            return self.save(name, content, max_length=max_length)
        finally:
            _at_once.active = False

    def _save(self, name, content):
        if getattr(_at_once, "active", False) or not transaction.get_connection().in_atomic_block:
            return super()._save(name, content)
        if hasattr(content, "seek"):
            content.seek(0)
        data = b"".join(content.chunks()) if hasattr(content, "chunks") else content.read()
        transaction.on_commit(partial(self._write_committed, name, data))
        return name

    def _write_committed(self, name: str, data: bytes) -> None:
        written = super()._save(name, ContentFile(data))
        if written != name:  # somebody took the random name in between: keep the row's name authoritative
            logger.error("upload %s was stored as %s", name, written)
