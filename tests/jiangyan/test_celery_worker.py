"""A real Celery worker process on Redis runs a task sent from Django (no eager mode, no mock)."""

import time
import uuid

import pytest

from jiangyan.models import Heartbeat
from jiangyan.tasks import heartbeat
from tests.worker import needs_redis, new_queue, start_worker, stop_worker


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_task_sent_from_django_runs_in_a_real_worker_on_redis():
    needs_redis()
    queue = new_queue()
    token = uuid.uuid4().hex
    worker = start_worker(queue)
    try:
        heartbeat.apply_async(kwargs={"token": token, "source": "integration-test"}, queue=queue)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and worker.poll() is None:
            if Heartbeat.objects.filter(token=token).exists():
                break
            time.sleep(0.5)
        row = Heartbeat.objects.filter(token=token).first()
        assert row is not None, "the worker did not run the task within 60 s"
        assert row.source == "integration-test"
    finally:
        output = stop_worker(worker)
    assert "jiangyan.tasks.heartbeat" in output
