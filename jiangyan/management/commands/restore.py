from django.core.management.base import BaseCommand, CommandError

from jiangyan.backups import BackupError, restore_backup


class Command(BaseCommand):
    help = "用 manage.py backup 生成的备份替换数据库内容（一个事务内完成），并恢复同名的照片归档。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="备份文件（.dump 或 .sqlite3）")
        parser.add_argument("--database", help="恢复到同一服务器上的另一个已存在的数据库（用于核对备份）")

    def handle(self, *args, file, database=None, **options):
        try:
            restore_backup(file, database=database)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"restored {file}"))
