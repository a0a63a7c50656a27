"""Run the task worker with a heartbeat that /healthz reads.

Wraps django-tasks-db's ``db_worker``: a background thread records every few
seconds that this worker is alive, so a stopped worker shows on the health check.
"""

import os
import socket
import threading
import uuid

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections, connections
from django.utils import timezone

HEARTBEAT_SECONDS = 10


class Command(BaseCommand):
    help = "Run the background task worker (django-tasks database backend) with a heartbeat."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0)

    def handle(self, *args, **options):
        from qualityhub.core.models import WorkerHeartbeat

        worker_id = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        started = timezone.now()
        stop = threading.Event()

        def beat():
            while not stop.is_set():
                try:
                    WorkerHeartbeat.objects.update_or_create(
                        worker_id=worker_id,
                        defaults={"hostname": socket.gethostname(), "pid": os.getpid(), "started_at": started, "seen_at": timezone.now()},
                    )
                except Exception:  # the database may be briefly locked; try again next beat
                    pass
                finally:
                    close_old_connections()
                stop.wait(HEARTBEAT_SECONDS)
            connections.close_all()

        thread = threading.Thread(target=beat, name="heartbeat", daemon=True)
        thread.start()
        try:
            call_command("db_worker", interval=options["interval"], worker_id=worker_id[:64], reload=False)
        finally:
            stop.set()
            WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()
