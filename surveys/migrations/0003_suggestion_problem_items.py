# A suggestion that names two problems is coded to both (Suggestion.problem_items; problem_item stays the
# main one), and each problem item keeps the words residents use for it (ProblemItem.synonyms).

import django.db.models.deletion
from django.db import migrations, models


def codes_to_items(apps, schema_editor):
    """Every coded suggestion is coded to its (main) problem item."""
    Suggestion = apps.get_model("surveys", "Suggestion")
    through = Suggestion.problem_items.through
    rows = Suggestion.objects.filter(problem_item__isnull=False).values_list("id", "problem_item_id")
    batch = []
    for suggestion_id, item_id in rows.iterator(chunk_size=5000):
        batch.append(through(suggestion_id=suggestion_id, problemitem_id=item_id))
        if len(batch) >= 5000:
            through.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    through.objects.bulk_create(batch, ignore_conflicts=True)


def items_to_codes(apps, schema_editor):
    """Back to one item per suggestion: the main one is kept, the others are dropped (the table goes)."""


class Migration(migrations.Migration):

    dependencies = [
        ("surveys", "0002_project_links"),
    ]

    operations = [
        migrations.AddField(
            model_name="problemitem",
            name="synonyms",
            field=models.TextField(
                blank=True,
                help_text="群众描述这个问题时常用的词（口语、方言），以空格或逗号分隔，供编码助手匹配。",
                verbose_name="群众说法",
            ),
        ),
        migrations.AlterField(
            model_name="suggestion",
            name="problem_item",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="primary_suggestions",
                to="surveys.problemitem",
                verbose_name="主要问题条目",
            ),
        ),
        migrations.AddField(
            model_name="suggestion",
            name="problem_items",
            field=models.ManyToManyField(
                blank=True, related_name="suggestions", to="surveys.problemitem", verbose_name="问题清单条目"
            ),
        ),
        migrations.RunPython(codes_to_items, items_to_codes),
    ]
