"""Reads of a person's notifications, shared by the pages, the API, the header's count and ``/api/v1/me/``."""

from django.db.models import QuerySet

from .models import Notification


def notification_list(*, user) -> QuerySet[Notification]:
    return Notification.objects.for_user(user).order_by("-created_at", "-id")


def unread_notifications(*, user) -> QuerySet[Notification]:
    return notification_list(user=user).filter(read_at__isnull=True)


def unread_count(user) -> int:
    return Notification.objects.for_user(user).unread().count()
