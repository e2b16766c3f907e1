"""Taming asyncua's logging during an outage.

asyncua 2.1 logs a full traceback every second while a server is away (the publish loop's
"Publish iteration crashed; retrying in 1s", teardown warnings on a dead socket), and at INFO it
formats every publish response. The bridge keeps asyncua at WARNING, logs each distinct message
once a minute at most (with how many were held back), and without the traceback.
"""

import logging
import time

CLIENT_LOGGERS = (
    "asyncua.client.client",
    "asyncua.client.ua_client.UASocketProtocol",
    "asyncua.client.ua_client.UaClient",
    "asyncua.client.ua_session",
    "asyncua.client.ua_session.UaSession",
    "asyncua.common.subscription",
    "asyncua.uaprotocol",
)


class RepeatFilter(logging.Filter):
    """Pass a message (by logger and format string) once per `every_s`; strip tracebacks."""

    def __init__(self, every_s: float = 60.0) -> None:
        super().__init__("")
        self.every_s = every_s
        self._seen: dict[tuple[str, str], tuple[float, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        key = (record.name, str(record.msg))
        now = time.monotonic()
        last, held = self._seen.get(key, (-self.every_s, 0))
        if now - last < self.every_s:
            self._seen[key] = (last, held + 1)
            return False
        self._seen[key] = (now, 0)
        if record.exc_info and record.exc_info[1] is not None:
            record.msg = f"{record.msg} ({record.exc_info[1]!r})"
            record.exc_info, record.exc_text = None, None
        if held:
            record.msg = f"{record.msg} [{held} more like this in the last {self.every_s:.0f} s]"
        return True


_installed = RepeatFilter()


def tame_asyncua_logging(level: int = logging.WARNING) -> None:
    """Idempotent: safe to call for every bridge started in one process."""
    logging.getLogger("asyncua").setLevel(level)
    for name in CLIENT_LOGGERS:
        target = logging.getLogger(name)
        if _installed not in target.filters:
            target.addFilter(_installed)
