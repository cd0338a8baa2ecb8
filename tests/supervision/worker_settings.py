"""Settings of the worker the redelivery tests start and kill: unacknowledged tasks come back to the queue
after 3 seconds instead of an hour, checked every second."""

from jiangyan.settings.test import *  # noqa: F403

CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
