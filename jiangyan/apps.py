from django.utils.translation import gettext_lazy as _

from jiangyan.core import site
from jiangyan.core.roles import Role


class JiangyanConfig(site.PortalAppConfig):
    name = "jiangyan"
    verbose_name = _("平台公共")
    audit_verbs = {
        "personal_data.view": _("查看了完整个人信息"),
        "personal_data.download": _("下载了个人信息"),
        "security.forbidden": _("被拒绝访问"),
        "admin.add": _("在管理后台新增"),
        "admin.change": _("在管理后台修改"),
        "admin.delete": _("在管理后台删除"),
        "audit.purge": _("删除了超过保存期限的操作记录"),
        "personal_data.erase": _("删除了个人信息"),
    }
    # Keys any event may carry, whatever its target (``selectors.AuditReader``).
    audit_fields = {
        "*": {
            "fields": site.AuditField(_("查看的信息"), site.MODEL_FIELDS),
            "previous": site.AuditField(_("原值")),
            "code": site.AuditField(_("编号")),
        }
    }
    # Readings and security events: no page shows them (an admin change refreshes everything itself).
    audit_topics = {verb: () for verb in audit_verbs}
    nav_items = (site.NavItem(_("操作记录"), "audit-log", roles=(Role.ADMIN,), order=85),)

    def ready(self) -> None:
        super().ready()
        from django.contrib.admin.models import LogEntry
        from django.core import checks
        from django.db.models.signals import post_save

        from jiangyan.core.audit import admin_change_recorded, check_retention
        from jiangyan.core.pagecache import admin_changed, check_cache_apart
        from jiangyan.helpers.crypto import check_keys
        from jiangyan.helpers.validators import install_date_checks, install_text_validators

        from . import tasks  # noqa: F401  (registered in every process: the outbox names its delivery task)
        from .checks import check_site_url

        install_text_validators()
        install_date_checks()

        # An edit in the admin (lookups, the survey builder, the organisation) goes behind the services.
        post_save.connect(admin_changed, sender=LogEntry, dispatch_uid="jiangyan.core.pagecache.admin")
        post_save.connect(admin_change_recorded, sender=LogEntry, dispatch_uid="jiangyan.core.audit.admin")
        checks.register(check_cache_apart, checks.Tags.caches, deploy=True)
        checks.register(check_site_url, checks.Tags.security, deploy=True)
        checks.register(check_keys, checks.Tags.security)
        checks.register(check_retention, checks.Tags.security)
