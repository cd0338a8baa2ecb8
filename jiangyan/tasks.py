from celery import shared_task

from .models import Heartbeat


@shared_task
def heartbeat(token: str = "beat", source: str = "beat") -> int:
    """Write a heartbeat row: the scheduler and worker are alive (and the integration test's proof)."""
    return Heartbeat.objects.create(source=source, token=token).pk
