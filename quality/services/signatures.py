"""Electronic signatures: the signer re-enters the password and gives a reason; the signed content
is hashed so that a later change to the signed record is detectable, and the signature row is
sealed with a keyed mac into the signature chain (quality.audit_chain), so that an edit of the row
itself, hash recomputed, is detectable too."""

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone
from django.utils.translation import gettext as _

from mes import roles
from mes.errors import Forbidden, InvalidInput
from quality.audit_chain import SIGNATURE, chain_append, mac_matches
from quality.models import Signature


def canonical(content: dict[str, Any]) -> str:
    """One text for one content: sorted keys, no spaces, so equal content hashes equal."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Signer:
    """A user whose signature is checked (reason, role, password): made by signer_check only."""

    user: User
    reason: str


def signer_check(*, user: User, password: str, reason: str) -> Signer:
    """The refusals of signature_sign, without signing: for a caller that must know before it
    does costly work that the signature will be given (then signature_record, which does not
    hash the password a second time)."""
    if not reason.strip():
        raise InvalidInput(_("A signature needs a reason."), field="reason")
    if not roles.user_roles(user) & roles.DECIDES_QUALITY:
        raise Forbidden(_("Only a quality engineer can sign this decision."))
    if not password or not user.check_password(password):
        raise InvalidInput(_("The password is not correct; nothing was signed."), field="password")
    return Signer(user, reason.strip())


def signature_sign(
    *,
    user: User,
    password: str,
    meaning: str,
    reason: str,
    record_type: str,
    record_id: int,
    content: dict[str, Any],
) -> Signature:
    """Sign `content` as `user`, after checking the re-entered password and the role.

    Refused, with nothing written: no reason, a wrong password, or a user who is not a quality
    engineer. The stored content includes the signer, the time and the meaning, so none of them
    can be changed afterwards without the hash showing it.
    """
    return signature_record(
        signer=signer_check(user=user, password=password, reason=reason),
        meaning=meaning,
        record_type=record_type,
        record_id=record_id,
        content=content,
    )


def signature_record(
    *, signer: Signer, meaning: str, record_type: str, record_id: int, content: dict[str, Any]
) -> Signature:
    """Sign `content` for a signer signer_check let through."""
    signed_at = timezone.now()
    full = {
        "signer": signer.user.get_username(),
        "signed_at": signed_at.isoformat(),
        "meaning": meaning,
        "reason": signer.reason,
        "record_type": record_type,
        "record_id": record_id,
        "record": content,
    }
    text = canonical(full)
    signature = Signature(
        signer=signer.user,
        signed_at=signed_at,
        meaning=meaning,
        reason=signer.reason,
        record_type=record_type,
        record_id=record_id,
        content=text,
        content_hash=digest(text),
    )
    return chain_append(SIGNATURE, Signature, [signature])[0]


def signature_intact(*, signature: Signature, current_content: dict[str, Any]) -> bool:
    """True when the signature row and the record it signed are both as they were at signing.

    The row's keyed mac decides (an edit that recomputed the plain SHA-256 still fails it); then
    the record as it is now must be the record that was signed."""
    if not mac_matches(SIGNATURE, signature):
        return False
    stored = json.loads(signature.content)
    rebuilt = {
        "signer": signature.signer.get_username(),
        "signed_at": signature.signed_at.isoformat(),
        "meaning": signature.meaning,
        "reason": signature.reason,
        "record_type": signature.record_type,
        "record_id": signature.record_id,
        "record": json.loads(canonical(current_content)),
    }
    return digest(signature.content) == signature.content_hash and canonical(rebuilt) == canonical(
        stored
    )
