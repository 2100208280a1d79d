"""The task worker: ``jiceng worker`` in the foreground, or one daemon thread inside ``jiceng serve``.

It is django-tasks-db's own worker (the ``db_worker`` loop) over every queue;
the thread variant skips the signal handlers, which only the main thread may set.
"""

from __future__ import annotations

import threading

from django.utils.crypto import get_random_string


def make_worker(*, interval: float = 1.0, batch: bool = False, max_tasks: int | None = None, worker_id: str | None = None):
    from django_tasks_db.management.commands.db_worker import Worker

    return Worker(queue_names=["*"], interval=interval, batch=batch, backend_name="default", startup_delay=False,
                  max_tasks=max_tasks, worker_id=worker_id or get_random_string(32), excluded_queue_names=[])


def run_pending(max_tasks: int | None = None) -> None:
    """Run every task that is due now, then return (tests, and `jiceng worker --batch`)."""
    make_worker(interval=0, batch=True, max_tasks=max_tasks).run()


def start_thread(interval: float = 2.0) -> threading.Thread:
    """Run the worker in a daemon thread of this process (it dies with the server)."""
    worker = make_worker(interval=interval, worker_id=f"serve-{get_random_string(12)}")
    thread = threading.Thread(target=worker.run, name="jiceng-worker", daemon=True)
    thread.start()
    return thread
