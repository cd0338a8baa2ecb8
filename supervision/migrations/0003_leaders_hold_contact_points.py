"""Leaders (四套班子成员) become people of their own, each holding their own contact points: a ``Leader`` for
every supervisor who held contact points (post to be filled in by the office), and each point moved from
the supervisor's account to that leader."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def points_to_leaders(apps, schema_editor):
    ContactPoint = apps.get_model("supervision", "ContactPoint")
    Leader = apps.get_model("supervision", "Leader")
    for user_id in ContactPoint.objects.values_list("supervisor_id", flat=True).distinct():
        leader, _created = Leader.objects.get_or_create(
            user_id=user_id, defaults={"body": "committee", "title": "联系领导"}
        )
        ContactPoint.objects.filter(supervisor_id=user_id).update(leader=leader)


def leaders_to_points(apps, schema_editor):
    ContactPoint = apps.get_model("supervision", "ContactPoint")
    for point in ContactPoint.objects.select_related("leader"):
        point.supervisor_id = point.leader.user_id
        point.save(update_fields=["supervisor"])


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("supervision", "0002_order_returned_and_close_note"),
    ]

    operations = [
        migrations.CreateModel(
            name="Leader",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "body",
                    models.CharField(
                        choices=[
                            ("committee", "区委"),
                            ("congress", "区人大常委会"),
                            ("government", "区政府"),
                            ("cppcc", "区政协"),
                        ],
                        max_length=12,
                        verbose_name="班子",
                    ),
                ),
                ("title", models.CharField(max_length=40, verbose_name="职务")),
                (
                    "rank",
                    models.PositiveSmallIntegerField(default=100, help_text="数字小的排在前面", verbose_name="排序"),
                ),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="leader",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="账号",
                    ),
                ),
            ],
            options={"verbose_name": "联系领导", "verbose_name_plural": "联系领导", "ordering": ["rank", "id"]},
        ),
        migrations.AddField(
            model_name="contactpoint",
            name="leader",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="contact_points",
                to="supervision.leader",
                verbose_name="联系领导",
            ),
        ),
        migrations.AlterField(
            model_name="contactpoint",
            name="supervisor",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="contact_points",
                to=settings.AUTH_USER_MODEL,
                verbose_name="联系领导",
            ),
        ),
        migrations.RunPython(points_to_leaders, leaders_to_points),
        migrations.RemoveConstraint(model_name="contactpoint", name="contact_point_once_per_community"),
        migrations.RemoveConstraint(model_name="contactpoint", name="contact_point_once_per_unit"),
        migrations.AlterModelOptions(
            name="contactpoint",
            options={
                "ordering": ["leader__rank", "leader_id", "id"],
                "verbose_name": "基层联系点",
                "verbose_name_plural": "基层联系点",
            },
        ),
        migrations.RemoveField(model_name="contactpoint", name="supervisor"),
        migrations.AlterField(
            model_name="contactpoint",
            name="leader",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="contact_points",
                to="supervision.leader",
                verbose_name="联系领导",
            ),
        ),
        migrations.AddConstraint(
            model_name="contactpoint",
            constraint=models.UniqueConstraint(
                condition=models.Q(("community__isnull", False)),
                fields=("leader", "community"),
                name="contact_point_once_per_leader_and_community",
            ),
        ),
        migrations.AddConstraint(
            model_name="contactpoint",
            constraint=models.UniqueConstraint(
                condition=models.Q(("unit__isnull", False)),
                fields=("leader", "unit"),
                name="contact_point_once_per_leader_and_unit",
            ),
        ),
    ]
