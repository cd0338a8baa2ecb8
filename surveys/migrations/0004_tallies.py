"""``ResponseTally`` and ``AnswerTally``, and the triggers that keep them: every insert into, update of or
delete from ``surveys_response`` and ``surveys_answer`` moves the count of its key (a response's survey,
community, channel and day in ``TIME_ZONE``; an answer's question, option and number), whoever writes — the
services, the demo's COPY, the admin, a test's factory. PostgreSQL counts once per statement (transition
tables: a COPY of a million rows is one upsert per key), SQLite once per row. The day of a response on
SQLite is its UTC time shifted by the zone's offset now (Asia/Shanghai has no daylight saving)."""

import datetime
import zoneinfo

from django.conf import settings

import django.db.models.deletion
from django.db import migrations, models


def _tally(name: str, source: str, target: str, count: str, keys: dict[str, str]) -> dict[str, list[str]]:
    """The statements that keep ``target`` counting the rows of ``source`` by ``keys`` (tally column →
    expression over a source row, with ``{row}`` for the row: PostgreSQL's transition table, SQLite's
    NEW or OLD), per vendor; the last statement counts the rows already there."""
    columns = ", ".join(keys)

    def exprs(row: str) -> list[str]:
        return [expression.format(row=row) for expression in keys.values()]

    def same(left: str, row: str) -> str:
        return " AND ".join(
            f"{left}.{c} IS NOT DISTINCT FROM {e}" for c, e in zip(keys, exprs(row), strict=True)
        )

    grouped = ", ".join(str(i) for i in range(1, len(keys) + 1))
    insert_pg = (
        f"INSERT INTO {target} ({columns}, {count}) SELECT {', '.join(exprs('r'))}, count(*) "
        f"FROM {{rows}} AS r GROUP BY {grouped} "
        f"ON CONFLICT ({columns}) DO UPDATE SET {count} = {target}.{count} + EXCLUDED.{count}"
    )
    subtract_pg = (
        f"UPDATE {target} AS t SET {count} = t.{count} - o.n FROM ("
        f"SELECT {', '.join(f'{e} AS {c}' for c, e in zip(keys, exprs('r'), strict=True))}, count(*) AS n "
        f"FROM old_rows AS r GROUP BY {grouped}) AS o WHERE "
        + " AND ".join(f"t.{c} IS NOT DISTINCT FROM o.{c}" for c in keys)
    )
    postgresql = [
        f"CREATE UNIQUE INDEX {target}_key ON {target} ({columns}) NULLS NOT DISTINCT",
        f"""CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP IN ('DELETE', 'UPDATE') THEN {subtract_pg}; END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') THEN {insert_pg.format(rows="new_rows")}; END IF;
            RETURN NULL;
        END $$""",
        f"CREATE TRIGGER {name}_insert AFTER INSERT ON {source} REFERENCING NEW TABLE AS new_rows "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
        f"CREATE TRIGGER {name}_update AFTER UPDATE ON {source} REFERENCING OLD TABLE AS old_rows "
        f"NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
        f"CREATE TRIGGER {name}_delete AFTER DELETE ON {source} REFERENCING OLD TABLE AS old_rows "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
        insert_pg.format(rows=source),
    ]

    def add(row: str) -> str:
        # One writer at a time on SQLite: make the key's row if missing, then count the row in.
        return (
            f"INSERT INTO {target} ({columns}, {count}) SELECT {', '.join(exprs(row))}, 0 "
            f"WHERE NOT EXISTS (SELECT 1 FROM {target} AS t WHERE {same('t', row)}); "
            f"UPDATE {target} SET {count} = {count} + 1 WHERE {same(target, row)};"
        )

    def subtract(row: str) -> str:
        return f"UPDATE {target} SET {count} = {count} - 1 WHERE {same(target, row)};"

    sqlite = [
        f"CREATE INDEX {target}_key ON {target} ({columns})",
        f"CREATE TRIGGER {name}_insert AFTER INSERT ON {source} BEGIN {add('NEW')} END",
        f"CREATE TRIGGER {name}_delete AFTER DELETE ON {source} BEGIN {subtract('OLD')} END",
        f"CREATE TRIGGER {name}_update AFTER UPDATE ON {source} BEGIN {subtract('OLD')} {add('NEW')} END",
        f"INSERT INTO {target} ({columns}, {count}) SELECT {', '.join(exprs(source))}, count(*) "
        f"FROM {source} GROUP BY {grouped}",
    ]
    return {"postgresql": postgresql, "sqlite": sqlite, "names": [name]}


def tallies(vendor: str) -> list[dict]:
    if vendor == "postgresql":
        day = f"({{row}}.submitted_at AT TIME ZONE '{settings.TIME_ZONE}')::date"
    else:
        now = datetime.datetime.now(zoneinfo.ZoneInfo(settings.TIME_ZONE))
        day = f"date({{row}}.submitted_at, '{int(now.utcoffset().total_seconds() // 60):+d} minutes')"
    return [
        _tally(
            "surveys_tally_responses",
            "surveys_response",
            "surveys_responsetally",
            "responses",
            {
                "survey_id": "{row}.survey_id",
                "community_id": "{row}.community_id",
                "channel": "{row}.channel",
                "day": day,
            },
        ),
        _tally(
            "surveys_tally_answers",
            "surveys_answer",
            "surveys_answertally",
            "answers",
            {"question_id": "{row}.question_id", "option_id": "{row}.option_id", "number": "{row}.number"},
        ),
    ]


def install(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        raise NotImplementedError(f"the survey tallies need triggers written for {vendor}")
    for tally in tallies(vendor):
        for statement in tally[vendor]:
            schema_editor.execute(statement)


def remove(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    for tally in tallies(vendor):
        for name in tally["names"]:
            for event in ("insert", "update", "delete"):
                table = "surveys_response" if "responses" in name else "surveys_answer"
                on = f" ON {table}" if vendor == "postgresql" else ""
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}_{event}{on}")
            if vendor == "postgresql":
                schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_community_phone"),
        ("surveys", "0003_suggestion_problem_items"),
    ]

    operations = [
        migrations.CreateModel(
            name="AnswerTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.FloatField(null=True, verbose_name="数值")),
                ("answers", models.IntegerField(default=0, verbose_name="答案数")),
                (
                    "option",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="tallies",
                        to="surveys.option",
                        verbose_name="选项",
                    ),
                ),
                (
                    "question",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="tallies",
                        to="surveys.question",
                        verbose_name="题目",
                    ),
                ),
            ],
            options={
                "verbose_name": "答案计数",
                "verbose_name_plural": "答案计数",
            },
        ),
        migrations.CreateModel(
            name="ResponseTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "channel",
                    models.CharField(
                        choices=[
                            ("online", "在线"),
                            ("visit", "大走访"),
                            ("night_visit", "夜访"),
                            ("forum", "座谈会"),
                            ("import", "问卷导入"),
                        ],
                        max_length=12,
                        verbose_name="渠道",
                    ),
                ),
                ("day", models.DateField(verbose_name="日期")),
                ("responses", models.IntegerField(default=0, verbose_name="答卷数")),
                (
                    "community",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="accounts.community",
                        verbose_name="社区（村）",
                    ),
                ),
                (
                    "survey",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="tallies",
                        to="surveys.survey",
                        verbose_name="问卷",
                    ),
                ),
            ],
            options={
                "verbose_name": "答卷计数",
                "verbose_name_plural": "答卷计数",
            },
        ),
        migrations.RunPython(install, remove),
        migrations.AddIndex(
            model_name="response",
            index=models.Index(fields=["-submitted_at", "-id"], name="surveys_resp_newest"),
        ),
    ]
