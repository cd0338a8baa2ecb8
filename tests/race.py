"""Race tests: real threads, each with its own database connection, released together. Every "exactly one"
rule deserves one (see ``tests/wishes/test_race.py``)."""

import threading

import pytest
from django.db import connection, connections

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks and concurrent writers need PostgreSQL; SQLite serialises every writer",
)


def race(targets):
    """Run ``targets`` (callables) at once behind a barrier; return (results, exceptions)."""
    barrier = threading.Barrier(len(targets))
    results, errors = [], []
    lock = threading.Lock()

    def run(target):
        try:
            barrier.wait(timeout=30)
            outcome = target()
            with lock:
                results.append(outcome)
        except Exception as exc:  # every outcome is collected and asserted on
            with lock:
                errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results, errors
