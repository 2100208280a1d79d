from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve jiceng with the waitress WSGI server (static files included)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args, **o):
        from waitress import serve

        from jiceng.wsgi import application

        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(f"jiceng 已启动：http://{o['host']}:{o['port']}/  （数据目录 {settings.DATA_DIR}，Ctrl+C 退出）")
        serve(application, host=o["host"], port=o["port"], threads=o["threads"])
