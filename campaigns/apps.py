from django.utils.translation import gettext_lazy as _

from jiangyan.core import site


class CampaignsConfig(site.PortalAppConfig):
    """四季活动 (春送岗位、夏送清凉、秋送助学、冬送温暖): dated, themed campaigns that wishes and projects are
    tagged with. Below the registries (``projects | wishes``), which both reference a campaign; the figures
    of each campaign's page are the registries' own (their ``campaign_sections``)."""

    name = "campaigns"
    verbose_name = _("四季活动")
    url_prefix = "campaigns/"
    api_module = "campaigns.api"
    nav_items = (site.NavItem(_("四季活动"), "campaigns:list", order=25),)
    audit_verbs = {
        "campaign.create": _("新建四季活动"),
        "campaign.update": _("修改四季活动"),
    }
    # Cache topics (jiangyan.core.pagecache): ``campaigns`` the campaign pages (moved by these and by tagging
    # a wish or a project); ``campaign-names`` the pages of tagged wishes and projects, which name their
    # campaign; the API lists of wishes and projects name it too.
    audit_topics = {
        "campaign.create": ("campaigns",),
        "campaign.update": ("campaigns", "campaign-names", "wishes", "projects"),
    }
