from django.utils.translation import gettext_lazy as _

from jiangyan import site


class SupervisionConfig(site.PortalAppConfig):
    name = "supervision"
    verbose_name = _("督查通报")
    url_prefix = ""
    api_module = "supervision.api"
