"""Filters shared by the apps' FilterSets."""

import datetime

import django_filters
from django import forms

MAX_OFFSET = datetime.timedelta(hours=14)  # the widest offset of any real time zone (UTC+14)


class UTCDateTimeField(forms.DateTimeField):
    """A date-time normalised to UTC. Python accepts offsets up to ±23:59 and PostgreSQL only up to about
    ±15:59, and an offset can push a date past year 1 or 9999: an offset no time zone has, or a moment
    outside the calendar, is a field error, never a 500."""

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None:
            return None
        try:
            if abs(moment.utcoffset()) > MAX_OFFSET:
                raise OverflowError
            return moment.astimezone(datetime.UTC)
        except OverflowError as exc:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from exc


class DateTimeFilter(django_filters.DateTimeFilter):
    field_class = UTCDateTimeField
