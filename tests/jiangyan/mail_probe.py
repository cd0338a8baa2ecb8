"""An e-mail backend for tests that looks, from a connection of its own, at what is committed at the
moment each e-mail goes out."""

import threading

from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection

from notifications.models import Notification

# For each e-mail sent: the notifications other connections saw as claimed (``emailed_at`` set) then.
SEEN: list[set[int]] = []


class Backend(BaseEmailBackend):
    def send_messages(self, messages):
        for _message in messages:
            seen: set[int] = set()

            def look(into=seen):
                try:
                    into.update(
                        Notification.objects.filter(emailed_at__isnull=False).values_list("pk", flat=True)
                    )
                finally:
                    connection.close()

            thread = threading.Thread(target=look)
            thread.start()
            thread.join()
            SEEN.append(seen)
        return len(messages)
