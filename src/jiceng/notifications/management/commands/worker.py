from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the background task worker (notifications' SMS, WeChat and e-mail deliveries) until stopped."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0, help="seconds to wait when no task is due (default 1)")
        parser.add_argument("--batch", action="store_true", help="run the tasks due now, then exit (for cron)")
        parser.add_argument("--max-tasks", type=int, default=None, help="exit after this many tasks")

    def handle(self, *args, **o):
        from jiceng.notifications.worker import make_worker

        worker = make_worker(interval=o["interval"], batch=o["batch"], max_tasks=o["max_tasks"])
        if not o["batch"]:
            worker.configure_signals()  # Ctrl+C / SIGTERM finish the running task, then stop
            self.stdout.write("jiceng worker 已启动（Ctrl+C 退出）")
        worker.run()
