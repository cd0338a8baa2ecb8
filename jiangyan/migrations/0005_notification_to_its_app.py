# Notification is the notifications app's now (notifications/migrations/0001): it leaves this app's state;
# its table (jiangyan_notification) stays, kept by the new model's db_table.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('jiangyan', '0004_audit_hash_chain'),
        ('notifications', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='Notification')],
            database_operations=[],
        ),
    ]
