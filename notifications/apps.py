from django.utils.translation import gettext_lazy as _

from jiangyan.core import site


class NotificationsConfig(site.PortalAppConfig):
    """What the portal tells a person. Every app writes notifications (``notifications.services.notify``),
    so this app sits just above accounts, below the registries (``pyproject.toml``'s layers)."""

    name = "notifications"
    verbose_name = _("通知")
    url_prefix = ""
    api_module = "notifications.api"
    open_work = (
        site.Work(
            "unread_notifications",
            _("未读通知"),
            "notifications.selectors.unread_notifications",
            order=90,
        ),
    )
