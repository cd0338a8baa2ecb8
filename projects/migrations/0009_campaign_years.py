"""Campaign years (年度): ``CampaignYear`` (exactly one current) and ``Project.year``, ``carried_from``.

The projects already in the registry are put in one year, the current one: the year most of their codes
name (``JY2021-001`` → 2021; on a tie the latest), else — no code names a year — the year of their
earliest planned start. An empty registry gets no year: its first import opens one (the year its codes
name, else this year). A code naming another year than the one chosen stays as it is (the office sees it
in the admin); nothing else is changed."""

import collections
import re

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import connection, migrations, models

CODE_YEAR = re.compile(r"^[A-Za-z]*((?:19|20)\d{2})(?:\D|$)")


def existing_year(projects) -> int:
    years = collections.Counter(
        int(m.group(1)) for code in projects.values_list("code", flat=True) if (m := CODE_YEAR.match(code))
    )
    if years:
        most = max(years.values())
        return max(year for year, count in years.items() if count == most)
    return projects.order_by("planned_start").values_list("planned_start", flat=True).first().year


def put_projects_in_a_year(apps, schema_editor):
    Project = apps.get_model("projects", "Project")
    CampaignYear = apps.get_model("projects", "CampaignYear")
    if not Project.objects.exists():
        return
    year = existing_year(Project.objects.all())
    CampaignYear.objects.create(year=year, title=f"{year}年度", is_current=True)
    Project.objects.update(year_id=year)
    if connection.vendor == "postgresql":  # the deferred FK checks, before the column becomes NOT NULL
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def take_projects_out_of_years(apps, schema_editor):
    apps.get_model("projects", "Project").objects.update(year_id=None)
    apps.get_model("projects", "CampaignYear").objects.all().delete()
    if connection.vendor == "postgresql":  # as above, before the constraints are dropped
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):

    dependencies = [
        ('projects', '0008_project_campaign'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='project',
            name='carried_from',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='carried_to', to='projects.project', verbose_name='续建自'),
        ),
        migrations.CreateModel(
            name='CampaignYear',
            fields=[
                ('year', models.PositiveSmallIntegerField(primary_key=True, serialize=False, verbose_name='年度')),
                ('title', models.CharField(blank=True, max_length=60, verbose_name='名称')),
                ('is_current', models.BooleanField(default=False, verbose_name='当前年度')),
                ('opened_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='开启时间')),
                ('opened_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='开启人')),
            ],
            options={
                'verbose_name': '项目年度',
                'verbose_name_plural': '项目年度',
                'ordering': ['-year'],
            },
        ),
        migrations.AddField(
            model_name='project',
            name='year',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='projects', to='projects.campaignyear', verbose_name='年度'),
        ),
        migrations.AddConstraint(
            model_name='campaignyear',
            constraint=models.UniqueConstraint(condition=models.Q(('is_current', True)), fields=('is_current',), name='projects_one_current_year'),
        ),
        migrations.AddConstraint(
            model_name='campaignyear',
            constraint=models.CheckConstraint(condition=models.Q(('year__gte', 2000), ('year__lte', 2100)), name='projects_year_range'),
        ),
        migrations.RunPython(put_projects_in_a_year, take_projects_out_of_years),
        migrations.AlterField(
            model_name='project',
            name='year',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='projects', to='projects.campaignyear', verbose_name='年度'),
        ),
    ]
