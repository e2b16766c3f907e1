"""A Celery worker with one injected fault: the broker dies in the loss window.

kombu's Redis transport pops a message (BRPOP) and only then records it as unacknowledged
(`QoS.append`: ZADD + HSET). This worker SIGKILLs the redis-server (pid in FAULT_KILL_REDIS_PID)
right between the two, for the first ingest batch it receives: the pop is in the append-only
file, the unacknowledged record never happens, and after a restart the batch is in no queue and
no unacked set. Everything else is the real worker (`python -m tests.processes.fault_worker
-A mes worker ...` takes celery's own arguments).
"""

import os
import signal
import socket
import sys
import time

import kombu.transport.redis as transport

_append = transport.QoS.append


def _refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
    except OSError:
        return True
    return False


def _append_after_a_broker_crash(self, message, delivery_tag):  # noqa: ANN001, ANN202
    pid = os.environ.pop("FAULT_KILL_REDIS_PID", "")
    if pid and message.headers.get("task") == "lines.ingest_batch":
        time.sleep(1)  # the publisher has its answer: for it, the broker has the batch
        os.kill(int(pid), signal.SIGKILL)
        port = int(os.environ["FAULT_REDIS_PORT"])
        deadline = time.monotonic() + 10
        while not _refused(port) and time.monotonic() < deadline:
            time.sleep(0.02)
        print(f"fault: killed redis-server {pid} after popping a batch", flush=True)
    return _append(self, message, delivery_tag)


transport.QoS.append = _append_after_a_broker_crash

if __name__ == "__main__":
    from celery.__main__ import main

    sys.argv[0] = "celery"
    sys.exit(main())
