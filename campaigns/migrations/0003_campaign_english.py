"""English names and themes of the campaigns, for readers of the English site; the four seasons of
``0002_seed_seasons`` get theirs (the office gives any other campaign its own in the admin)."""

from django.db import migrations, models

ENGLISH = {
    "spring": ("Jobs in Spring", "Spring Breeze: job information and jobs within reach"),
    "summer": ("Cool in Summer", "Relief from the heat for outdoor workers, families in need and elderly people living alone"),
    "winter": ("Warmth in Winter", "Quilts and heaters for families in need, for a warm winter"),
    "autumn": ("School Help in Autumn", "Support for pupils from families in need at the start of the school year"),
}


def fill(apps, schema_editor):
    Campaign = apps.get_model("campaigns", "Campaign")
    for season, (name_en, theme_en) in ENGLISH.items():
        Campaign.objects.filter(season=season, name_en="").update(name_en=name_en, theme_en=theme_en)


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0002_seed_seasons")]

    operations = [
        migrations.AddField(
            model_name="campaign",
            name="name_en",
            field=models.CharField(blank=True, max_length=80, verbose_name="英文名称"),
        ),
        migrations.AddField(
            model_name="campaign",
            name="theme_en",
            field=models.CharField(blank=True, max_length=200, verbose_name="英文主题"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
