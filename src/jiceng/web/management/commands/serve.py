import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve jiceng with the waitress WSGI server (static files included)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--tick-every", type=float, default=0, metavar="SECONDS",
                            help="also run `tick` in a background thread every SECONDS (0: off; use cron or a timer instead)")
        parser.add_argument("--no-worker", action="store_true",
                            help="do not run the task worker in this process (run `jiceng worker` separately instead)")

    def handle(self, *args, **o):
        from waitress import serve

        from jiceng.wsgi import application

        call_command("migrate", interactive=False, verbosity=0)
        if o["tick_every"] > 0:
            from jiceng.cases.tick import tick_forever

            # Daemon thread: it dies with the server. Running tick from cron as
            # well is harmless, each consequence is recorded once.
            stop = threading.Event()
            threading.Thread(target=tick_forever, args=(o["tick_every"], stop), name="jiceng-tick", daemon=True).start()
            self.stdout.write(f"tick 每 {o['tick_every']:g} 秒运行一次")
        if not o["no_worker"]:
            from jiceng.notifications.worker import start_thread

            start_thread()  # sends notifications' SMS, WeChat and e-mail; `jiceng worker` elsewhere is harmless too
            self.stdout.write("任务进程（通知发送）随服务运行；另行运行 jiceng worker 时可加 --no-worker")
        self.stdout.write(f"jiceng 已启动：http://{o['host']}:{o['port']}/  （数据目录 {settings.DATA_DIR}，Ctrl+C 退出）")
        serve(application, host=o["host"], port=o["port"], threads=o["threads"])
