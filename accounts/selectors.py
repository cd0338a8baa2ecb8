"""Reads of the organisation that other apps share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from jiangyan.core import site
from jiangyan.core.roles import Role, roles_of
from jiangyan.helpers.text import closest, fold

from .models import Unit, UnitAlias, User

# How many rows of each kind of open work ``person_summary`` lists (the count covers all of them).
OPEN_WORK_ROWS = 10

# The district's own name, which a unit's name may carry or leave out: 姜堰区教育局, 区教育局 and 教育局 are
# one unit. Longest first.
DISTRICT_PREFIXES = ("泰州市姜堰区", "泰州市姜堰", "姜堰区", "姜堰", "区")


def _core(folded: str) -> str:
    for prefix in DISTRICT_PREFIXES:
        if folded.startswith(prefix) and len(folded) > len(prefix) + 1:
            return folded[len(prefix) :]
    return folded


@dataclass(frozen=True)
class UnitFound:
    """A unit found by a name as written; ``exact`` when the name is the unit's own."""

    unit: Unit
    exact: bool


class UnitNames:
    """Every name the district's units go by — name, short name, aliases (``UnitAlias``) — to find a unit by
    the name a spreadsheet writes, compared loosely (``jiangyan.helpers.text.fold``) and with or without the
    district's name in front (姜堰区教育局, 区教育局, 教育局). A name two units could go by finds neither."""

    def __init__(self, units, aliases):
        self.units = list(units)
        names: dict[str, set[int]] = {}
        cores: dict[str, set[int]] = {}
        self._by_id = {u.pk: u for u in self.units}
        self._own = {fold(u.name): u for u in self.units}
        spellings = [(u.name, u.pk) for u in self.units]
        spellings += [(u.short_name, u.pk) for u in self.units if u.short_name]
        spellings += [(a.alias, a.unit_id) for a in aliases]
        for spelling, unit_id in spellings:
            key = fold(spelling)
            names.setdefault(key, set()).add(unit_id)
            cores.setdefault(_core(key), set()).add(unit_id)
        self._names = {k: ids.pop() for k, ids in names.items() if len(ids) == 1}
        self._cores = {k: ids.pop() for k, ids in cores.items() if len(ids) == 1}
        self._spellings = {s: self._by_id[i] for s, i in spellings}

    def find(self, written: str) -> UnitFound | None:
        key = fold(written)
        if not key:
            return None
        if key in self._own:
            return UnitFound(self._own[key], exact=written.strip() == self._own[key].name)
        unit_id = self._names.get(key) or self._cores.get(_core(key))
        return UnitFound(self._by_id[unit_id], exact=False) if unit_id else None

    def suggest(self, written: str) -> Unit | None:
        """The unit whose name (or alias) is nearest to ``written``, for a "did you mean"."""
        cores: dict[str, Unit] = {}
        for spelling, unit in self._spellings.items():
            cores.setdefault(_core(fold(spelling)), unit)
        found = closest(_core(fold(written)), cores)
        return cores[found] if found else None


def unit_names() -> UnitNames:
    """The district's units and all their names (two queries)."""
    return UnitNames(Unit.objects.all(), UnitAlias.objects.all())


# --- who am I (``/api/v1/me/``) -------------------------------------------------------------------------


def _place(obj) -> dict | None:
    return {"id": obj.pk, "name": obj.name} if obj is not None else None


def person_scope(user: User) -> dict[str, dict | None]:
    """Where the person's roles apply: their unit (unit staff), their community and its town (community
    staff, residents), the community a party member reports to (报到社区) and their branch."""
    user = User.objects.select_related(
        "unit", "community__town", "member_profile__registered_community__town", "member_profile__branch"
    ).get(pk=user.pk)
    profile = user.member_profile_or_none
    community = user.community or (profile.registered_community if profile else None)
    return {
        "unit": _place(user.unit),
        "community": _place(user.community),
        "town": _place(community.town if community else None),
        "registered_community": _place(profile.registered_community if profile else None),
        "branch": _place(profile.branch if profile else None),
    }


def _work_row(work: site.Work, row) -> dict[str, Any]:
    key = getattr(row, work.key)
    page = reverse(work.page, kwargs={work.lookup: key}) if work.page else None
    if page is None and hasattr(row, "get_absolute_url"):
        page = row.get_absolute_url()
    return {
        "key": str(key),
        "title": str(getattr(row, work.title) if work.title else row),
        "status": getattr(row, "status", "") or "",
        "due": getattr(row, work.due) if work.due else None,
        "url": reverse(work.api, kwargs={work.lookup: key}) if work.api else None,
        "page": page,
    }


def open_work(user: User) -> list[dict[str, Any]]:
    """Each kind of open work the apps declare (``site.Work``) that the person's roles have: its count and
    its first rows. Two queries a kind."""
    kinds = []
    for work in site.open_work():
        if not work.applies_to(user):
            continue
        rows = work.get_rows(user)
        kinds.append(
            {
                "kind": work.kind,
                "label": str(work.label),
                "count": rows.count(),
                "items": [_work_row(work, row) for row in rows[:OPEN_WORK_ROWS]],
            }
        )
    return kinds


def person_summary(*, user: User) -> dict[str, Any]:
    """Who the signed-in person is: roles, scope and open work."""
    roles = roles_of(user)
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": user.display_name,
        "roles": [role for role in Role.values if role in roles],
        "role_labels": user.role_labels(),
        "scope": person_scope(user),
        "work": open_work(user),
    }
