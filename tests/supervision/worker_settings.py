"""Settings of the worker the redelivery tests start and kill: unacknowledged tasks come back to the queue
after 3 seconds instead of four minutes, checked every second; long tasks continue in a new run after every
piece (``jiangyan.tasks.in_batches``)."""

from jiangyan.settings.test import *  # noqa: F403

CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
TASK_BATCH_SECONDS = 0
