from django.utils.translation import gettext_lazy as _

from jiangyan.core import site


class AccountsConfig(site.PortalAppConfig):
    name = "accounts"
    verbose_name = _("账号与组织")
    url_prefix = "accounts/"
    api_module = "accounts.api"
    nav_items = (site.NavItem(_("我的"), "accounts:me", signed_in=True, order=90),)
    privacy_module = "accounts.privacy"
    audit_verbs = {
        "account.register": _("注册账号"),
        "auth.signed_in": _("登录"),
        "auth.sign_in_failed": _("登录失败"),
        "auth.locked_out": _("登录锁定"),
        "auth.second_step_passed": _("通过第二步验证"),
        "auth.second_step_failed": _("第二步验证失败"),
        "auth.two_factor_enrolled": _("开启两步登录"),
        "auth.two_factor_reset": _("重置两步登录"),
        "auth.password_changed": _("修改密码"),
        "auth.password_reset": _("办公室设置密码"),
    }
    audit_fields = {
        "user": {
            "role": site.AuditField(_("角色"), "jiangyan.core.roles.Role"),
            "address": site.AuditField(_("来源地址")),
            "path": site.AuditField(_("页面")),
            "channel": site.AuditField(_("途径")),
            "second_step": site.AuditField(_("须第二步验证")),
            "device": site.AuditField(_("验证设备")),
            "devices": site.AuditField(_("设备数")),
        }
    }
    # Sign-in events change no page anybody sees.
    audit_topics = {
        "account.register": ("accounts",),
        **{verb: () for verb in audit_verbs if verb.startswith("auth.")},
    }

    def ready(self) -> None:
        super().ready()
        from . import signals  # noqa: F401
