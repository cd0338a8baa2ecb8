from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo district's seeding commands (``seed_demo``, ``welcome``)."""

    name = "demo"
    verbose_name = "演示数据"
