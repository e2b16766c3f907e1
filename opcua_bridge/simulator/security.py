"""Security of the simulated PLCs: endpoints, certificate, and a username/password user manager.

Basic256Sha256 SignAndEncrypt is served when a certificate and private key are given. Security
policy None is served only when allowed: explicitly (`allow_none=True`), or by default on a
loopback endpoint without a certificate (the demo on one machine). With users configured,
anonymous sessions are refused and a wrong password is refused with BadUserAccessDenied.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
from pathlib import Path
from urllib.parse import urlparse

from asyncua import Server, ua
from asyncua.common.utils import ServiceError
from asyncua.crypto.permission_rules import User, UserRole
from asyncua.server.user_managers import UserManager

logger = logging.getLogger(__name__)


class SecurityConfigError(ValueError):
    """The security options do not make a server anyone may connect to."""


class PasswordUserManager(UserManager):
    """Users by name and password (constant-time compare); anyone else is refused."""

    def __init__(self, users: dict[str, str]) -> None:
        self._users = dict(users)

    def get_user(self, iserver, username=None, password=None, certificate=None) -> User | None:
        expected = self._users.get(username or "")
        if expected is None or password is None:
            logger.warning("refused OPC UA session for user %r", username)
            return None
        if not hmac.compare_digest(expected.encode(), str(password).encode()):
            logger.warning("refused OPC UA session for user %r: wrong password", username)
            return None
        return User(role=UserRole.User, name=username)


def is_loopback(endpoint: str) -> bool:
    host = urlparse(endpoint).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def none_allowed(endpoint: str, certificate: Path | None, allow_none: bool | None) -> bool:
    """Explicit choice wins; by default None is served on loopback when there is no certificate."""
    if allow_none is not None:
        return allow_none
    return certificate is None and is_loopback(endpoint)


def parse_user(text: str) -> tuple[str, str]:
    """`name:password` (the password may contain colons) -> (name, password)."""
    name, sep, password = text.partition(":")
    if not sep or not name or not password:
        raise ValueError(f"a user is name:password, not {text!r}")
    return name, password


def check_security_options(
    endpoint: str, certificate: Path | None, private_key: Path | None, allow_none: bool | None
) -> None:
    """Refuse options that leave no endpoint anyone may use, before anything starts."""
    if (certificate is None) != (private_key is None):
        raise SecurityConfigError("a certificate needs its private key, and the other way round")
    if certificate is None and not none_allowed(endpoint, certificate, allow_none):
        why = "security policy None is switched off"
        if not is_loopback(endpoint):
            why = f"{endpoint} is not a loopback endpoint"
        raise SecurityConfigError(
            f"{why}: give --certificate and --private-key (Basic256Sha256 SignAndEncrypt), "
            "or --allow-none to serve without security"
        )


async def configure_security(
    server: Server,
    *,
    endpoint: str,
    certificate: Path | None,
    private_key: Path | None,
    users: dict[str, str],
    allow_none: bool | None,
) -> list[str]:
    """Set endpoints, certificate and identity tokens on a not-yet-started server.

    Returns the security policies served, e.g. ["Basic256Sha256_SignAndEncrypt"].
    """
    check_security_options(endpoint, certificate, private_key, allow_none)
    policies = []
    if certificate is not None:
        await server.load_certificate(str(certificate))
        await server.load_private_key(str(private_key))
        policies.append(ua.SecurityPolicyType.Basic256Sha256_SignAndEncrypt)
    if none_allowed(endpoint, certificate, allow_none):
        policies.append(ua.SecurityPolicyType.NoSecurity)
    server.set_security_policy(policies)
    if ua.SecurityPolicyType.NoSecurity not in policies:
        refuse_unsecured_sessions(server)
    if users:
        server.set_identity_tokens([ua.UserNameIdentityToken])
    else:
        server.set_identity_tokens([ua.AnonymousIdentityToken])
    return [policy.name for policy in policies]


def refuse_unsecured_sessions(server: Server) -> None:
    """Refuse to activate a session on a channel with security policy None.

    asyncua quirk (2.1): the server always accepts a None secure channel (for GetEndpoints), and
    then also lets a session be created and activated on it, and read, even when None is not
    among the served policies; only a well-behaved client's endpoint check stops it. Every
    encrypted channel carries the client's certificate, so "no peer certificate" means None.
    """
    iserver = server.iserver
    create_session = iserver.create_session

    def create_checked_session(*args, **kwargs):
        session = create_session(*args, **kwargs)
        if not kwargs.get("external"):
            return session
        activate = session.activate_session

        def activate_secured(params, peer_certificate):
            if not peer_certificate:  # None or b"" (what a None channel carries)
                logger.warning("refused a session on a channel without security (policy None)")
                raise ServiceError(ua.StatusCodes.BadSecurityModeRejected)
            return activate(params, peer_certificate)

        session.activate_session = activate_secured  # type: ignore[method-assign]  # asyncua has no hook to refuse a session by channel security
        return session

    iserver.create_session = create_checked_session  # type: ignore[method-assign]  # asyncua has no hook to refuse a session by channel security
