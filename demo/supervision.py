"""Demo data of the supervision app, called by ``manage.py seed_demo``."""


def seed(*, scale: int, stdout) -> None:
    """Idempotent: does nothing when this app's demo data is already there."""
