"""The evaluation method (评价内容、评价程序、评价方法): criteria with a weight per evaluator role, rounds
(the periods evaluation is open) and a score per criterion of each evaluation.

The old single score becomes one criterion: the data step makes the default criterion 综合评价 (weight 1
for every role), one round for each calendar month that has ratings (the old rule was once per month, so
each month's ratings fit one round), and turns every rating's score into a score of 综合评价. With only that
criterion every weighted figure is the old average, so the reports and rankings read as before."""

import datetime
import itertools

import django.contrib.postgres.constraints
import django.db.models.deletion
import projects.models
from django.conf import settings
from django.db import migrations, models


DEFAULT_CRITERION = "综合评价"


def _month_end(first):
    return (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(days=1)


def legacy_to_criteria(apps, schema_editor):
    Evaluation = apps.get_model("projects", "Evaluation")
    Criterion = apps.get_model("projects", "EvaluationCriterion")
    Round = apps.get_model("projects", "EvaluationRound")
    Score = apps.get_model("projects", "EvaluationScore")
    criterion, _created = Criterion.objects.get_or_create(
        name=DEFAULT_CRITERION,
        defaults={
            "description": "项目总体评价（原评分）",
            "weight_party_member": 1,
            "weight_supervisor": 1,
            "weight_resident": 1,
            "order": 0,
        },
    )
    months = Evaluation.objects.order_by("month").values_list("month", flat=True).distinct()
    for first in months:
        first = first.replace(day=1)
        round_ = Round.objects.create(
            name=f"{first.year}年{first.month}月", starts_on=first, ends_on=_month_end(first)
        )
        Evaluation.objects.filter(month=first).update(round=round_)
    scores = (
        Score(evaluation_id=pk, criterion_id=criterion.pk, score=score)
        for pk, score in Evaluation.objects.values_list("pk", "score").iterator(chunk_size=2000)
    )
    while batch := list(itertools.islice(scores, 2000)):
        Score.objects.bulk_create(batch)
    # The rows above are checked now, so the table can be altered in this same transaction.
    schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def criteria_to_legacy(apps, schema_editor):
    """Back to one score: each rating's weighted mean of its scores, rounded (exactly the old score for a
    rating of the default criterion alone)."""
    Evaluation = apps.get_model("projects", "Evaluation")
    Score = apps.get_model("projects", "EvaluationScore")
    for evaluation in Evaluation.objects.all().iterator(chunk_size=2000):
        values = list(Score.objects.filter(evaluation=evaluation).values_list("score", flat=True))
        evaluation.score = round(sum(values) / len(values)) if values else 3
        evaluation.save(update_fields=["score"])
    schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0009_campaign_years"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="EvaluationCriterion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=40, unique=True, verbose_name="评价内容")),
                ("description", models.CharField(blank=True, max_length=200, verbose_name="评价要点")),
                (
                    "weight_party_member",
                    models.PositiveSmallIntegerField(default=1, verbose_name="普通党员议权重"),
                ),
                (
                    "weight_supervisor",
                    models.PositiveSmallIntegerField(default=1, verbose_name="领导干部评权重"),
                ),
                ("weight_resident", models.PositiveSmallIntegerField(default=1, verbose_name="群众评议权重")),
                ("order", models.PositiveSmallIntegerField(default=0, verbose_name="排序")),
            ],
            options={
                "verbose_name": "评价内容",
                "verbose_name_plural": "评价内容",
                "ordering": ["order", "id"],
            },
        ),
        migrations.CreateModel(
            name="EvaluationRound",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=40, verbose_name="评价轮次")),
                ("starts_on", models.DateField(verbose_name="开始日期")),
                ("ends_on", models.DateField(verbose_name="截止日期")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="创建时间")),
            ],
            options={
                "verbose_name": "评价轮次",
                "verbose_name_plural": "评价轮次",
                "ordering": ["-starts_on", "-id"],
            },
        ),
        migrations.CreateModel(
            name="EvaluationScore",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "score",
                    models.PositiveSmallIntegerField(
                        choices=[(1, "1 分"), (2, "2 分"), (3, "3 分"), (4, "4 分"), (5, "5 分")],
                        verbose_name="评分",
                    ),
                ),
            ],
            options={
                "verbose_name": "评价得分",
                "verbose_name_plural": "评价得分",
                "ordering": ["evaluation_id", "criterion__order", "criterion_id"],
            },
        ),
        migrations.AddField(
            model_name="evaluationscore",
            name="criterion",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="scores",
                to="projects.evaluationcriterion",
                verbose_name="评价内容",
            ),
        ),
        migrations.AddField(
            model_name="evaluationscore",
            name="evaluation",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="scores",
                to="projects.evaluation",
                verbose_name="项目评价",
            ),
        ),
        migrations.AddField(
            model_name="evaluation",
            name="round",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="evaluations",
                to="projects.evaluationround",
                verbose_name="评价轮次",
            ),
        ),
        # Nullable while the scores move, so that going back can add the column before it is filled again.
        migrations.AlterField(
            model_name="evaluation",
            name="score",
            field=models.PositiveSmallIntegerField(
                choices=[(1, "1 分"), (2, "2 分"), (3, "3 分"), (4, "4 分"), (5, "5 分")],
                null=True,
                verbose_name="评分",
            ),
        ),
        migrations.RunPython(legacy_to_criteria, criteria_to_legacy),
        migrations.RemoveConstraint(
            model_name="evaluation",
            name="evaluation_once_per_month",
        ),
        migrations.RemoveConstraint(
            model_name="evaluation",
            name="evaluation_score_1_5",
        ),
        migrations.RemoveField(
            model_name="evaluation",
            name="score",
        ),
        migrations.AlterField(
            model_name="evaluation",
            name="round",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="evaluations",
                to="projects.evaluationround",
                verbose_name="评价轮次",
            ),
        ),
        migrations.AddConstraint(
            model_name="evaluationcriterion",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("weight_party_member__lte", 100),
                    ("weight_resident__lte", 100),
                    ("weight_supervisor__lte", 100),
                ),
                name="criterion_weights_0_100",
            ),
        ),
        migrations.AddConstraint(
            model_name="evaluationround",
            constraint=models.CheckConstraint(
                condition=models.Q(("ends_on__gte", models.F("starts_on"))), name="round_end_after_start"
            ),
        ),
        migrations.AddConstraint(
            model_name="evaluationround",
            constraint=django.contrib.postgres.constraints.ExclusionConstraint(
                expressions=[(projects.models.DateRangeOf("starts_on", "ends_on"), "&&")],
                name="round_no_overlap",
            ),
        ),
        migrations.AddConstraint(
            model_name="evaluation",
            constraint=models.UniqueConstraint(
                fields=("project", "evaluator", "round"), name="evaluation_once_per_round"
            ),
        ),
        migrations.AddConstraint(
            model_name="evaluationscore",
            constraint=models.UniqueConstraint(
                fields=("evaluation", "criterion"), name="evaluation_score_once"
            ),
        ),
        migrations.AddConstraint(
            model_name="evaluationscore",
            constraint=models.CheckConstraint(
                condition=models.Q(("score__gte", 1), ("score__lte", 5)), name="evaluation_score_value_1_5"
            ),
        ),
    ]
