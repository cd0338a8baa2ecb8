# The Notification model moves from the site app (jiangyan/migrations/0002) to this one: the state only.
# The table stays as it is (``db_table = "jiangyan_notification"``), rows and all, and the content type
# (with its permissions) is renamed rather than created anew.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def rename_content_type(apps, schema_editor, old="jiangyan", new="notifications"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label=old, model="notification").update(app_label=new)


def rename_content_type_back(apps, schema_editor):
    rename_content_type(apps, schema_editor, old="notifications", new="jiangyan")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("jiangyan", "0004_audit_hash_chain"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Notification',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('reason', models.CharField(db_index=True, max_length=60, verbose_name='事由')),
                        ('title', models.CharField(max_length=200, verbose_name='标题')),
                        ('body', models.TextField(blank=True, verbose_name='内容')),
                        ('url', models.CharField(blank=True, max_length=300, verbose_name='链接')),
                        ('target', models.CharField(blank=True, max_length=100, verbose_name='对象')),
                        ('period', models.CharField(blank=True, max_length=40, verbose_name='周期')),
                        ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='时间')),
                        ('read_at', models.DateTimeField(blank=True, null=True, verbose_name='已读时间')),
                        ('emailed_at', models.DateTimeField(blank=True, null=True, verbose_name='邮件发送时间')),
                        ('recipient', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to=settings.AUTH_USER_MODEL, verbose_name='接收人')),
                    ],
                    options={
                        'verbose_name': '通知',
                        'verbose_name_plural': '通知',
                        'db_table': 'jiangyan_notification',
                        'ordering': ['-created_at', '-id'],
                        'indexes': [models.Index(fields=['recipient', 'read_at'], name='notification_unread')],
                        'constraints': [models.UniqueConstraint(fields=('recipient', 'reason', 'target', 'period'), name='notification_once_per_recipient_reason_object_period')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(rename_content_type, rename_content_type_back),
    ]
