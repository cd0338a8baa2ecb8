"""Seed the lookup tables with the article's values (admin-editable afterwards)."""

from django.db import migrations

PROGRAMS = [("智造强企", "助企"), ("富民兴村", "兴村"), ("利民惠民", "惠民"), ("提质增效", "提效"), ("崇法善治", "善治")]
DOMAINS = ["经济发展", "环境保护", "社区治理", "居民增收", "教育", "养老", "医疗卫生", "就业", "文化体育", "交通出行",
           "住房保障", "平安法治", "政务服务", "农业农村"]
TARGET_GROUPS = ["老年", "青少年", "低收入", "全体居民", "残疾人", "妇女儿童", "企业"]


def seed(apps, schema_editor):
    KeyTask = apps.get_model("projects", "KeyTask")
    Program = apps.get_model("projects", "Program")
    Domain = apps.get_model("projects", "Domain")
    TargetGroup = apps.get_model("projects", "TargetGroup")
    for order, (program, task) in enumerate(PROGRAMS):
        key_task, _ = KeyTask.objects.get_or_create(name=task, defaults={"order": order})
        Program.objects.get_or_create(name=program, defaults={"key_task": key_task, "order": order})
    for order, name in enumerate(DOMAINS):
        Domain.objects.get_or_create(name=name, defaults={"order": order})
    for order, name in enumerate(TARGET_GROUPS):
        TargetGroup.objects.get_or_create(name=name, defaults={"order": order})


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
