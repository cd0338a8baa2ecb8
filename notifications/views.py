"""The notification centre: a person's notifications, opening one (marks it read and goes where it
points) and marking all read."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jiangyan.core.pagination import list_page
from jiangyan.core.permissions import role_required
from jiangyan.core.scoping import get_object_or_404

from . import selectors, services


@require_GET
@role_required()
def notification_list(request):
    queryset = selectors.notification_list(user=request.user)
    if request.GET.get("unread") == "1":
        queryset = queryset.filter(read_at__isnull=True)
    return render(request, "notifications/list.html", list_page(request, queryset))


@require_GET
@role_required()
def notification_open(request, pk: int):
    """Open a notification: mark it read and go where it points (only within this site)."""
    notification = get_object_or_404(selectors.notification_list(user=request.user), pk=pk)
    services.mark_read(actor=request.user, notification_ids=[notification.pk])
    url = notification.url
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts=None) and url.startswith("/"):
        return redirect(url)
    return redirect("notifications:list")


@require_POST
@role_required()
def notification_read_all(request):
    count = services.mark_read(actor=request.user)
    messages.success(request, _("已将 %(n)s 条通知标为已读。") % {"n": count})
    return redirect("notifications:list")
