"""``ResponseTally`` and the triggers that keep it: every insert into or delete from ``surveys_response``
moves the count of its survey, channel and day (in ``TIME_ZONE``), whoever writes — the services, the
demo's COPY, the admin, a test's factory. PostgreSQL counts once per statement (transition tables: a COPY
of a million rows is one upsert per day and channel), SQLite once per row. The day of a response on SQLite
is its UTC time shifted by the zone's offset now (Asia/Shanghai has no daylight saving)."""

import datetime
import zoneinfo

from django.conf import settings

import django.db.models.deletion
from django.db import migrations, models


POSTGRESQL = """
CREATE OR REPLACE FUNCTION surveys_tally_responses() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE surveys_responsetally AS t SET responses = t.responses - o.n
        FROM (
            SELECT survey_id, channel, (submitted_at AT TIME ZONE '{zone}')::date AS day, count(*) AS n
            FROM old_rows GROUP BY 1, 2, 3
        ) AS o
        WHERE t.survey_id = o.survey_id AND t.channel = o.channel AND t.day = o.day;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO surveys_responsetally (survey_id, channel, day, responses)
        SELECT survey_id, channel, (submitted_at AT TIME ZONE '{zone}')::date, count(*)
        FROM new_rows GROUP BY 1, 2, 3
        ON CONFLICT (survey_id, channel, day)
        DO UPDATE SET responses = surveys_responsetally.responses + EXCLUDED.responses;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER surveys_response_tally_insert AFTER INSERT ON surveys_response
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION surveys_tally_responses();
CREATE TRIGGER surveys_response_tally_update AFTER UPDATE ON surveys_response
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION surveys_tally_responses();
CREATE TRIGGER surveys_response_tally_delete AFTER DELETE ON surveys_response
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION surveys_tally_responses();
INSERT INTO surveys_responsetally (survey_id, channel, day, responses)
    SELECT survey_id, channel, (submitted_at AT TIME ZONE '{zone}')::date, count(*)
    FROM surveys_response GROUP BY 1, 2, 3;
"""
POSTGRESQL_REMOVE = """
DROP TRIGGER IF EXISTS surveys_response_tally_insert ON surveys_response;
DROP TRIGGER IF EXISTS surveys_response_tally_update ON surveys_response;
DROP TRIGGER IF EXISTS surveys_response_tally_delete ON surveys_response;
DROP FUNCTION IF EXISTS surveys_tally_responses();
"""
SQLITE = [
    """CREATE TRIGGER surveys_response_tally_insert AFTER INSERT ON surveys_response BEGIN
        INSERT INTO surveys_responsetally (survey_id, channel, day, responses)
        VALUES (NEW.survey_id, NEW.channel, date(NEW.submitted_at, '{offset} minutes'), 1)
        ON CONFLICT (survey_id, channel, day) DO UPDATE SET responses = responses + 1;
    END""",
    """CREATE TRIGGER surveys_response_tally_delete AFTER DELETE ON surveys_response BEGIN
        UPDATE surveys_responsetally SET responses = responses - 1
        WHERE survey_id = OLD.survey_id AND channel = OLD.channel
        AND day = date(OLD.submitted_at, '{offset} minutes');
    END""",
    """CREATE TRIGGER surveys_response_tally_update AFTER UPDATE OF survey_id, channel, submitted_at
    ON surveys_response BEGIN
        UPDATE surveys_responsetally SET responses = responses - 1
        WHERE survey_id = OLD.survey_id AND channel = OLD.channel
        AND day = date(OLD.submitted_at, '{offset} minutes');
        INSERT INTO surveys_responsetally (survey_id, channel, day, responses)
        VALUES (NEW.survey_id, NEW.channel, date(NEW.submitted_at, '{offset} minutes'), 1)
        ON CONFLICT (survey_id, channel, day) DO UPDATE SET responses = responses + 1;
    END""",
    """INSERT INTO surveys_responsetally (survey_id, channel, day, responses)
        SELECT survey_id, channel, date(submitted_at, '{offset} minutes'), count(*)
        FROM surveys_response GROUP BY 1, 2, 3""",
]


def install(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL.format(zone=settings.TIME_ZONE))
    elif vendor == "sqlite":
        now = datetime.datetime.now(zoneinfo.ZoneInfo(settings.TIME_ZONE))
        offset = int(now.utcoffset().total_seconds() // 60)
        for statement in SQLITE:
            schema_editor.execute(statement.format(offset=f"{offset:+d}"))
    else:
        raise NotImplementedError(f"response tallies need triggers written for {vendor}")


def remove(schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_REMOVE)
    else:
        for name in ("insert", "delete", "update"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS surveys_response_tally_{name}")


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0002_project_links"),
    ]

    operations = [
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
                "verbose_name": "答卷日计数",
                "verbose_name_plural": "答卷日计数",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("survey", "channel", "day"), name="surveys_tally_survey_channel_day"
                    )
                ],
            },
        ),
        migrations.RunPython(
            lambda apps, schema_editor: install(schema_editor),
            lambda apps, schema_editor: remove(schema_editor),
        ),
    ]
