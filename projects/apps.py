from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from jiangyan.navigation import NavItem


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("实事项目库")
    nav_items = (
        NavItem(_("项目展播"), "projects:showcase", roles=(), order=10),
        NavItem(_("项目填报"), "projects:workspace", roles=("unit_staff",), order=12),
        NavItem(_("项目导入"), "projects:import", roles=("admin",), order=80),
    )
