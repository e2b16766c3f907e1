"""The issue's attacks on PostgreSQL, by the database owner and by the app's role.

The owner (tests marked db_owner) can switch triggers off: TRUNCATE is refused while they are on,
and every edit made with them off is reported by GET /api/v1/audit/verify/ and reads
`intact: false`. The app's role (what the MES connects as) is refused TRUNCATE, ALTER TABLE and
UPDATE/DELETE on the audit tables outright."""

import hashlib

import pytest
from django.db import DatabaseError, connection, transaction

from quality.models import AuditEntry, ChainHead, Disposition, Hold, Signature
from tests.quality.audit_helpers import insider_delete, insider_update, scrapped_hold

pytestmark = [pytest.mark.services, pytest.mark.django_db]
AUDIT_TABLES = ("quality_auditentry", "quality_signature", "lines_unithistory", "quality_chainhead")
VERIFY = "/api/v1/audit/verify/"


@pytest.fixture
def scrapped(plant, quality_engineer, api):
    hold, disposition = scrapped_hold(plant, quality_engineer)
    api.force_authenticate(quality_engineer)
    assert api.get(VERIFY).json()["intact"] is True
    return hold, disposition


def _refused(statement: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's pending FK checks first
    with pytest.raises(DatabaseError) as refused, transaction.atomic(), connection.cursor() as c:
        c.execute(statement)
    return str(refused.value)


def _first_broken(api) -> tuple[str, str]:
    body = api.get(VERIFY).json()
    assert body["intact"] is False
    return body["first_broken"]["record"], body["first_broken"]["field"]


@pytest.mark.db_owner
@pytest.mark.parametrize("table", AUDIT_TABLES)
def test_truncate_is_refused_by_a_trigger_even_for_the_owner(scrapped, table):
    count = AuditEntry.objects.count()
    assert f"TRUNCATE on {table} refused" in _refused(f"TRUNCATE {table} CASCADE")
    assert AuditEntry.objects.count() == count > 0


@pytest.mark.parametrize(
    ("statement", "error"),
    [
        ("TRUNCATE quality_auditentry", "permission denied"),
        ("TRUNCATE quality_signature", "permission denied"),
        ("ALTER TABLE quality_auditentry DISABLE TRIGGER USER", "must be owner"),
        ("ALTER TABLE quality_signature DISABLE TRIGGER USER", "must be owner"),
        ("UPDATE quality_signature SET reason = 'x'", "permission denied"),
        ("DELETE FROM quality_auditentry", "permission denied"),
        ("DELETE FROM quality_chainhead", "permission denied"),
        ("DROP TABLE quality_auditentry", "must be owner"),
    ],
)
def test_the_apps_role_may_not_truncate_alter_or_rewrite_the_audit(scrapped, statement, error):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")
        user, superuser = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM pg_tables WHERE tableowner = current_user")
        owned = cursor.fetchone()[0]
    assert (user.endswith("_app"), superuser, owned) == (True, False, 0)
    count = AuditEntry.objects.count()
    assert error in _refused(statement)
    assert AuditEntry.objects.count() == count > 0


@pytest.mark.db_owner
def test_owner_rewrites_signature_and_hash_and_flips_scrap_to_use_as_is(scrapped, api):
    _hold, disposition = scrapped
    signature = disposition.signature
    content = signature.content.replace('"decision":"scrap"', '"decision":"use_as_is"')
    rehashed = hashlib.sha256(content.encode()).hexdigest()
    insider_update(Signature, signature.pk, content=content, content_hash=rehashed)
    insider_update(Disposition, disposition.pk, decision="use_as_is")

    detail = api.get(f"/api/v1/dispositions/{disposition.pk}/").json()
    assert (detail["decision"], detail["intact"]) == ("use_as_is", False)
    assert _first_broken(api) == (f"signature {signature.pk} (seq {signature.seq})", "mac")


@pytest.mark.db_owner
def test_owner_changes_decided_at(scrapped, api):
    _hold, disposition = scrapped
    moved = disposition.decided_at.replace(year=disposition.decided_at.year - 1)
    insider_update(Disposition, disposition.pk, decided_at=moved)
    assert api.get(f"/api/v1/dispositions/{disposition.pk}/").json()["intact"] is False
    assert _first_broken(api) == (f"disposition {disposition.pk}", "decided_at")


@pytest.mark.db_owner
def test_owner_sets_a_released_hold_back_to_active(scrapped, api):
    hold, _disposition = scrapped
    insider_update(Hold, hold.pk, state="active", released_at=None)
    assert _first_broken(api) == (f"hold {hold.pk}", "state")


@pytest.mark.db_owner
def test_owner_deletes_a_middle_entry(scrapped, api):
    insider_delete(AuditEntry.objects.filter(seq=2))
    after = AuditEntry.objects.get(seq=3)
    assert _first_broken(api) == (f"audit entry {after.pk} (seq 3)", "seq")


@pytest.mark.db_owner
def test_owner_empties_the_trail_and_its_heads_with_triggers_off(scrapped, api):
    hold, disposition = scrapped
    insider_delete(AuditEntry.objects.all())
    insider_delete(Signature.objects.filter(pk=-1))  # nothing: signatures are PROTECTed
    insider_delete(ChainHead.objects.all())
    problems = [(p["record"], p["field"]) for p in api.get(VERIFY).json()["problems"]]
    assert (f"disposition {disposition.pk}", "audit") in problems
    assert (f"hold {hold.pk}", "audit") in problems
