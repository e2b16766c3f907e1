"""The keys that seal the audit trail, read from the environment (never from the database).

The audit entries and signatures carry an HMAC-SHA256 made with a key the database owner does not
hold: an insider with the owner's password can still edit rows, but cannot make a MAC that
matches the edit. Keys have ids so that they can be rotated: MES_AUDIT_KEYS keeps every key that
ever sealed a row (for verification), MES_AUDIT_KEY_ID names the one new rows use
(docs/operations.md, "Audit key").
"""

from django.core.exceptions import ImproperlyConfigured

# Only with DEBUG on (a laptop, the test suite): a fixed, public key, so nothing is secret there.
DEV_KEY_ID = "dev"
DEV_KEYS = {DEV_KEY_ID: b"dev-only-audit-key-do-not-use-in-production"}
MIN_SECRET_CHARS = 32


def parse_audit_keys(raw: str) -> dict[str, bytes]:
    """`id1:secret1,id2:secret2` as {id: secret}; refused loudly when malformed or weak."""
    keys: dict[str, bytes] = {}
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        key_id, sep, secret = item.partition(":")
        key_id = key_id.strip()
        if not sep or not key_id or len(key_id) > 16:
            raise ImproperlyConfigured(
                "MES_AUDIT_KEYS must read id:secret,id:secret (ids of 1-16 characters)"
            )
        if len(secret) < MIN_SECRET_CHARS:
            raise ImproperlyConfigured(
                f"MES_AUDIT_KEYS: the key {key_id!r} is shorter than {MIN_SECRET_CHARS} characters"
            )
        if key_id in keys:
            raise ImproperlyConfigured(f"MES_AUDIT_KEYS names the key {key_id!r} twice")
        keys[key_id] = secret.encode()
    return keys


def audit_keys(*, raw: str, current: str, debug: bool) -> tuple[dict[str, bytes], str]:
    """The keys and the current key id for settings; the dev key only when DEBUG is on."""
    keys = parse_audit_keys(raw)
    if not keys:
        if not debug:
            raise ImproperlyConfigured("MES_AUDIT_KEYS must be set when DEBUG is off")
        return dict(DEV_KEYS), DEV_KEY_ID
    if not debug and any(
        secret == DEV_KEYS[DEV_KEY_ID] or b"CHANGE-ME" in secret for secret in keys.values()
    ):
        raise ImproperlyConfigured("MES_AUDIT_KEYS holds a public or placeholder key")
    current = current or (next(iter(keys)) if len(keys) == 1 else "")
    if current not in keys:
        raise ImproperlyConfigured(
            "MES_AUDIT_KEY_ID must name one of the keys in MES_AUDIT_KEYS "
            f"({', '.join(keys)}); it is {current!r}"
        )
    return keys, current
