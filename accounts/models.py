"""Users and the organisation of the district: towns, communities, lead units, party branches."""

import secrets

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from jiangyan.core.roles import Role, has_role, is_admin, roles_of
from jiangyan.core.scoping import ScopedQuerySet
from jiangyan.helpers import masking
from jiangyan.helpers.fields import BlindIndexField, EncryptedTextField
from jiangyan.helpers.names import local_name
from jiangyan.helpers.text import fold

from .validators import validate_public_phone


class OrganisationQuerySet(ScopedQuerySet):
    def visible_to(self, user) -> "OrganisationQuerySet":
        """The district's organisation is public: every town, community and unit, to everybody."""
        return self.all()

    def editable_by(self, user) -> "OrganisationQuerySet":
        """Changed only in the admin, never through a page or the API."""
        return self.none()


class Town(models.Model):
    """A town (镇) or sub-district (街道) of Jiangyan."""

    class Kind(models.TextChoices):
        TOWN = "town", _("镇")
        SUBDISTRICT = "subdistrict", _("街道")

    name = models.CharField(_("名称"), max_length=50, unique=True)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.TOWN)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("镇（街道）")
        verbose_name_plural = _("镇（街道）")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class Community(models.Model):
    """A community (社区) or village (村) within a town."""

    class Kind(models.TextChoices):
        COMMUNITY = "community", _("社区")
        VILLAGE = "village", _("村")

    town = models.ForeignKey(
        Town, verbose_name=_("所属镇（街道）"), on_delete=models.PROTECT, related_name="communities"
    )
    name = models.CharField(_("名称"), max_length=50)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.COMMUNITY)
    phone = models.CharField(
        _("心愿征集热线"),
        max_length=20,
        blank=True,
        validators=[validate_public_phone],
        help_text=_("社区（村）对外公布的电话，印在心愿卡上，如 0523-88812345。"),
    )

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("社区（村）")
        verbose_name_plural = _("社区（村）")
        ordering = ["town__order", "town_id", "id"]
        constraints = [models.UniqueConstraint(fields=["town", "name"], name="community_unique_in_town")]

    def __str__(self) -> str:
        return f"{self.town.name}{self.name}"


class Unit(models.Model):
    """A district unit (单位): lead unit (领办单位) of projects, owner of duty items."""

    name = models.CharField(_("名称"), max_length=80, unique=True)
    short_name = models.CharField(_("简称"), max_length=30, blank=True)
    name_en = models.CharField(
        _("英文名称"), max_length=120, blank=True, help_text=_("英文页面显示的名称；留空则显示中文名称。")
    )
    is_active = models.BooleanField(_("启用"), default=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    @property
    def local_name(self) -> str:
        """The name in the reader's language (``name_en`` on an English page when it has one)."""
        return local_name(self.name, self.name_en)


class UnitAlias(models.Model):
    """Another name a unit goes by in the office's lists: 区卫健委 for 区卫生健康委员会, 团区委 for
    共青团姜堰区委. The project import finds lead and cooperating units by these as well as by name and
    short name (``accounts.selectors.UnitNames``); the office keeps them in the admin."""

    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="aliases")
    alias = models.CharField(
        _("别称"),
        max_length=50,
        unique=True,
        help_text=_(
            "如 区卫健委、团区委。名称和简称前加不加“姜堰区”“区”都能认出（区教育局、教育局），无需登记。"
        ),
    )

    class Meta:
        verbose_name = _("单位别称")
        verbose_name_plural = _("单位别称")
        ordering = ["unit_id", "alias"]

    def __str__(self) -> str:
        return self.alias

    def clean(self) -> None:
        """An alias names one unit: not another unit's name, short name or alias (compared loosely)."""
        key = fold(self.alias)
        names = [(u.name, u.short_name, u.name) for u in Unit.objects.exclude(pk=self.unit_id)]
        names += [
            (a.alias, "", a.unit.name)
            for a in UnitAlias.objects.exclude(pk=self.pk)
            .exclude(unit_id=self.unit_id)
            .select_related("unit")
        ]
        for name, short_name, unit in names:
            if key in (fold(name), fold(short_name)):
                raise ValidationError(
                    {
                        "alias": _("“%(alias)s”已是“%(unit)s”的名称或别称。")
                        % {"alias": self.alias, "unit": unit}
                    }
                )


class PartyBranch(models.Model):
    """A party branch (党支部), of a unit or of a community."""

    name = models.CharField(_("名称"), max_length=80, unique=True)
    unit = models.ForeignKey(
        Unit, verbose_name=_("所属单位"), null=True, blank=True, on_delete=models.SET_NULL
    )
    community = models.ForeignKey(
        Community, verbose_name=_("所属社区"), null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = _("党支部")
        verbose_name_plural = _("党支部")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class UserQuerySet(models.QuerySet):
    def with_role(self, role: str) -> "UserQuerySet":
        return self.filter(groups__name=role)


class PortalUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


RESIDENT_USERNAME_PREFIX = "resident-"


def resident_username() -> str:
    """The username of a new resident: a pseudonym, so the phone number (encrypted) is not kept in clear."""
    return RESIDENT_USERNAME_PREFIX + secrets.token_hex(6)


class User(AbstractUser):
    """A person who signs in. Residents sign up and sign in with their phone number (stored encrypted, found
    through ``phone_index``); their username is a pseudonym (``resident_username``).

    ``unit`` scopes unit staff to their lead unit; ``community`` is where community staff work and where
    residents live."""

    phone = EncryptedTextField(_("手机号"), max_length=20, null=True, blank=True)
    # One account per phone number, and sign-in by phone, through the blind index (jiangyan.helpers.crypto).
    phone_index = BlindIndexField(_("手机号索引"), source="phone", unique=True)
    real_name = models.CharField(_("姓名"), max_length=50, blank=True)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("所在单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff",
    )
    community = models.ForeignKey(
        Community,
        verbose_name=_("所在社区"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="people",
    )

    # The sign-in rules (docs/security.md): when the password was last set, whether the office set it (an
    # initial or reset password, to be changed at the next sign-in), and the one session a staff account
    # may hold (STAFF_SINGLE_SESSION).
    password_changed_at = models.DateTimeField(_("密码设置时间"), null=True, blank=True, editable=False)
    must_change_password = models.BooleanField(_("下次登录须修改密码"), default=False)
    current_session_key = models.CharField(max_length=40, blank=True, default="", editable=False)

    objects = PortalUserManager()

    class Meta(AbstractUser.Meta):
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def set_password(self, raw_password):
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.real_name:
            return self.real_name
        if self.phone and self.username.startswith(RESIDENT_USERNAME_PREFIX):
            return masking.mask_phone(self.phone)
        return self.username

    @property
    def roles(self) -> frozenset[str]:
        return roles_of(self)

    def has_role(self, *roles: str) -> bool:
        return has_role(self, *roles)

    @property
    def is_portal_admin(self) -> bool:
        return is_admin(self)

    @cached_property
    def member_profile_or_none(self) -> "MemberProfile | None":
        try:
            return self.member_profile
        except MemberProfile.DoesNotExist:
            return None

    @cached_property
    def home_community_id(self) -> int | None:
        """The community whose wishes come first for this person: the one a party member reports to
        (报到社区), else their own (read with the user on every request: ``accounts.backends``)."""
        profile = self.member_profile_or_none
        return profile.registered_community_id if profile else self.community_id

    def role_labels(self) -> list[str]:
        return [Role(r).label for r in Role.values if r in self.roles]


class MemberProfile(models.Model):
    """A party member's registration: their branch and the community they report to (报到社区)."""

    user = models.OneToOneField(
        User, verbose_name=_("党员"), on_delete=models.CASCADE, related_name="member_profile"
    )
    branch = models.ForeignKey(
        PartyBranch, verbose_name=_("党支部"), null=True, blank=True, on_delete=models.SET_NULL
    )
    registered_community = models.ForeignKey(
        Community, verbose_name=_("报到社区"), on_delete=models.PROTECT, related_name="registered_members"
    )
    public_profile = models.BooleanField(_("在亮身份页面展示"), default=True)
    intro = models.CharField(_("简介"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("党员档案")
        verbose_name_plural = _("党员档案")

    def __str__(self) -> str:
        return f"{self.user.display_name}（{self.registered_community}）"


class PasswordHistory(models.Model):
    """A password a person had (its hash): staff may not take any of their last few again."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("历史密码")
        verbose_name_plural = _("历史密码")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d}"
