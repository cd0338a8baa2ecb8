from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JiangyanConfig(AppConfig):
    name = "jiangyan"
    verbose_name = _("平台公共")
