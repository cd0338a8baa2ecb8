from django.utils.translation import gettext_lazy as _

from . import site
from .roles import Role


class JiangyanConfig(site.PortalAppConfig):
    name = "jiangyan"
    verbose_name = _("平台公共")
    audit_verbs = {"personal_data.view": _("查看了完整个人信息")}
    # Keys any event may carry, whatever its target (``selectors.AuditReader``).
    audit_fields = {
        "*": {
            "fields": site.AuditField(_("查看的信息"), site.MODEL_FIELDS),
            "previous": site.AuditField(_("原值")),
            "code": site.AuditField(_("编号")),
        }
    }
    audit_topics = {"personal_data.view": ()}  # a reading: no page shows it
    nav_items = (site.NavItem(_("操作记录"), "audit-log", roles=(Role.ADMIN,), order=85),)

    def ready(self) -> None:
        super().ready()
        from django.contrib.admin.models import LogEntry
        from django.core import checks
        from django.db.models.signals import post_save

        from .pagecache import admin_changed, check_cache_apart
        from .validators import install_date_checks, install_text_validators

        install_text_validators()
        install_date_checks()

        # An edit in the admin (lookups, the survey builder, the organisation) goes behind the services.
        post_save.connect(admin_changed, sender=LogEntry, dispatch_uid="jiangyan.pagecache.admin")
        checks.register(check_cache_apart, checks.Tags.caches, deploy=True)
