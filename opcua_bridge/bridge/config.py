"""The bridge's settings: endpoint, security, batching, timings. From command options, then env.

Nothing here talks to the network; `BridgeConfig.check()` refuses combinations that would send a
password in clear or half-configure security, with a message that says what to pass instead.
"""

import os
import socket
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from mes.env import env_int, env_str

DEFAULT_ENDPOINT = "opc.tcp://127.0.0.1:4840/"
SECURITY_POLICIES = ("Basic256Sha256", "Aes128Sha256RsaOaep", "Aes256Sha256RsaPss")
SECURITY_MODES = ("SignAndEncrypt", "Sign")
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


@dataclass(frozen=True)
class BridgeConfig:
    """Everything one bridge process needs; `name` keys its spool directory and status file."""

    endpoint: str = DEFAULT_ENDPOINT
    name: str = "line1"
    queue: str = ""  # Celery queue of its batches; "" = the default queue (one per line scales out)
    batch_size: int = 5000
    batch_ms: int = 200
    security_policy: str = ""  # "" is SecurityPolicy None
    security_mode: str = "SignAndEncrypt"
    certificate: Path | None = None
    private_key: Path | None = None
    server_certificate: Path | None = None
    user: str = ""
    password: str = field(default="", repr=False)
    allow_none: bool = False
    var_dir: Path = Path("var")
    publishing_interval_ms: int = 100
    request_timeout_s: float = 4.0
    watchdog_s: float = 1.0
    reconnect_min_s: float = 0.5
    reconnect_max_s: float = 10.0
    tagmap_poll_s: float = 5.0
    skipped_retry_s: float = 30.0
    status_interval_s: float = 1.0
    redeliver_s: float = 1.0
    # Until the ingest confirms a batch (docs/telemetry.md, "Delivery guarantee"): re-sent when
    # overtaken (overtaken_s) or after confirm_timeout_s without any confirmation, doubling to
    # confirm_max_s; at most max_unconfirmed batches or max_unconfirmed_mb handed over
    # unconfirmed, the rest waits in the spool.
    confirm_timeout_s: float = 60.0
    confirm_max_s: float = 600.0
    confirm_poll_s: float = 0.5
    overtaken_s: float = 10.0
    max_unconfirmed: int = 1000
    max_unconfirmed_mb: int = 256
    # The closed loop (docs/integration-guide.md): the MES answers within answer_timeout_s or
    # the PLC gets 9; decisions run in decision_threads worker threads.
    answer_timeout_s: float = 1.5
    decision_threads: int = 8
    handshake_poll_s: float = 1.0
    heartbeat_s: float = 1.0
    plc_heartbeat_stale_s: float = 5.0

    @property
    def source(self) -> str:
        """The batch's `source`: which bridge on which host produced it."""
        return f"bridge-{self.name}@{socket.gethostname()}"

    @property
    def spool_dir(self) -> Path:
        return self.var_dir / "spool" / self.name

    @property
    def status_path(self) -> Path:
        return self.var_dir / f"bridge-status-{self.name}.json"

    @property
    def endpoint_is_loopback(self) -> bool:
        return (urlparse(self.endpoint).hostname or "") in LOOPBACK_HOSTS

    def check(self) -> None:
        """Refuse a configuration that is incomplete or insecure without saying so."""
        if urlparse(self.endpoint).scheme != "opc.tcp":
            raise ImproperlyConfigured(f"endpoint {self.endpoint!r} must start with opc.tcp://")
        if self.batch_size < 1 or self.batch_ms < 1:
            raise ImproperlyConfigured("--batch-size and --batch-ms must be positive")
        if self.confirm_timeout_s <= 0 or self.max_unconfirmed < 1 or self.max_unconfirmed_mb < 1:
            raise ImproperlyConfigured(
                "BRIDGE_CONFIRM_TIMEOUT_S, BRIDGE_MAX_UNCONFIRMED and BRIDGE_MAX_UNCONFIRMED_MB "
                "must be positive"
            )
        if self.decision_threads < 1 or not 0 < self.answer_timeout_s <= 10:
            raise ImproperlyConfigured(
                "BRIDGE_DECISION_THREADS must be positive and BRIDGE_ANSWER_TIMEOUT_MS 1 to 10000"
            )
        if self.security_policy:
            self._check_security()
            return
        if self.certificate or self.private_key or self.server_certificate:
            raise ImproperlyConfigured("--certificate/--private-key need --security Basic256Sha256")
        if self.user and not self.allow_none:
            raise ImproperlyConfigured(
                "a password over SecurityPolicy None travels in clear: "
                "use --security Basic256Sha256 or pass --allow-none"
            )
        if not self.endpoint_is_loopback and not self.allow_none:
            raise ImproperlyConfigured(
                f"{self.endpoint} is not on this machine and no --security is set: "
                "use --security Basic256Sha256 or pass --allow-none to connect unencrypted"
            )

    def _check_security(self) -> None:
        if self.security_policy not in SECURITY_POLICIES:
            raise ImproperlyConfigured(
                f"--security {self.security_policy!r} is not one of {', '.join(SECURITY_POLICIES)}"
            )
        if self.security_mode not in SECURITY_MODES:
            raise ImproperlyConfigured(f"security mode must be one of {', '.join(SECURITY_MODES)}")
        if not (self.certificate and self.private_key):
            raise ImproperlyConfigured("--security needs --certificate and --private-key")
        for path in (self.certificate, self.private_key, self.server_certificate):
            if path is not None and not path.is_file():
                raise ImproperlyConfigured(f"{path} does not exist")


def _opt_path(value: str | None) -> Path | None:
    return Path(value) if value else None


def config_from_options(options: dict) -> BridgeConfig:
    """Build the config from `run_bridge` options; env fills what the command line leaves out.

    Env: OPCUA_ENDPOINT, OPCUA_PASSWORD, OPCUA_USER, OPCUA_SECURITY, OPCUA_CERTIFICATE,
    OPCUA_PRIVATE_KEY, OPCUA_SERVER_CERTIFICATE, BRIDGE_NAME, BRIDGE_BATCH_SIZE, BRIDGE_BATCH_MS,
    BRIDGE_TAGMAP_POLL_S, OPCUA_PUBLISHING_INTERVAL_MS, BRIDGE_QUEUE, BRIDGE_CONFIRM_TIMEOUT_S,
    BRIDGE_MAX_UNCONFIRMED, BRIDGE_MAX_UNCONFIRMED_MB, BRIDGE_ANSWER_TIMEOUT_MS,
    BRIDGE_DECISION_THREADS, BRIDGE_HEARTBEAT_MS, BRIDGE_PLC_HEARTBEAT_STALE_MS.
    """
    endpoint = (
        options.get("endpoint")
        or getattr(settings, "OPCUA_ENDPOINT", "")
        or env_str("OPCUA_ENDPOINT", DEFAULT_ENDPOINT)
    )
    return BridgeConfig(
        endpoint=endpoint,
        name=options.get("name") or env_str("BRIDGE_NAME", "line1"),
        queue=options.get("queue") or env_str("BRIDGE_QUEUE", ""),
        batch_size=options.get("batch_size") or env_int("BRIDGE_BATCH_SIZE", 5000),
        batch_ms=options.get("batch_ms") or env_int("BRIDGE_BATCH_MS", 200),
        security_policy=options.get("security") or env_str("OPCUA_SECURITY", ""),
        certificate=_opt_path(options.get("certificate") or os.environ.get("OPCUA_CERTIFICATE")),
        private_key=_opt_path(options.get("private_key") or os.environ.get("OPCUA_PRIVATE_KEY")),
        server_certificate=_opt_path(
            options.get("server_certificate") or os.environ.get("OPCUA_SERVER_CERTIFICATE")
        ),
        user=options.get("user") or env_str("OPCUA_USER", ""),
        password=options.get("password") or env_str("OPCUA_PASSWORD", ""),
        allow_none=bool(options.get("allow_none")),
        var_dir=Path(settings.VAR_DIR),
        publishing_interval_ms=env_int("OPCUA_PUBLISHING_INTERVAL_MS", 100),
        tagmap_poll_s=float(env_int("BRIDGE_TAGMAP_POLL_S", 5)),
        confirm_timeout_s=float(env_int("BRIDGE_CONFIRM_TIMEOUT_S", 60)),
        max_unconfirmed=env_int("BRIDGE_MAX_UNCONFIRMED", 1000),
        max_unconfirmed_mb=env_int("BRIDGE_MAX_UNCONFIRMED_MB", 256),
        answer_timeout_s=env_int("BRIDGE_ANSWER_TIMEOUT_MS", 1500) / 1000,
        decision_threads=env_int("BRIDGE_DECISION_THREADS", 8),
        heartbeat_s=env_int("BRIDGE_HEARTBEAT_MS", 1000) / 1000,
        plc_heartbeat_stale_s=env_int("BRIDGE_PLC_HEARTBEAT_STALE_MS", 5000) / 1000,
    )
