from django.core.management.base import BaseCommand, CommandError

from jiangyan.backups import BackupError, create_backup


class Command(BaseCommand):
    help = "备份数据库（及上传的照片）到 var/backups/ 下以日期命名的文件。"

    def add_arguments(self, parser):
        parser.add_argument("--dir", help="备份目录（默认 var/backups）")

    def handle(self, *args, dir=None, **options):
        try:
            backup = create_backup(directory=dir)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(str(backup.database))
        if backup.media:
            self.stdout.write(str(backup.media))
