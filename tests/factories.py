"""factory_boy factories shared by every app's tests. Each app adds its own in this file's neighbours
(``tests/<app>/factories.py``) and imports the organisation factories from here."""

import factory
from django.contrib.auth.models import Group

from accounts.models import Community, MemberProfile, PartyBranch, Town, Unit, User
from jiangyan.core.roles import Role

PASSWORD = "Test-pass-2021!"


class TownFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Town
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"测试镇{n}")


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community

    town = factory.SubFactory(TownFactory)
    name = factory.Sequence(lambda n: f"测试社区{n}")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    name = factory.Sequence(lambda n: f"测试单位{n}")


class PartyBranchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartyBranch

    name = factory.Sequence(lambda n: f"测试党支部{n}")


class UserFactory(factory.django.DjangoModelFactory):
    """``UserFactory(roles=["unit_staff"], unit=...)``; password is ``PASSWORD``."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    real_name = factory.Sequence(lambda n: f"测试{n}号")
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for role in extracted or ():
            self.groups.add(Group.objects.get_or_create(name=role)[0])
        self._role_cache = None


class MemberFactory(UserFactory):
    """A party member with a profile registered to ``community``."""

    community = factory.SubFactory(CommunityFactory)
    roles = factory.PostGeneration(
        lambda obj, create, extracted, **kw: UserFactory.roles.function(
            obj, create, extracted or [Role.PARTY_MEMBER]
        )
    )
    profile = factory.RelatedFactory(
        "tests.factories.MemberProfileFactory",
        factory_related_name="user",
        registered_community=factory.SelfAttribute("..community"),
    )


class MemberProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MemberProfile

    registered_community = factory.SubFactory(CommunityFactory)
