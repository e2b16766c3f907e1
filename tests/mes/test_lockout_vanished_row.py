"""A PIN attempt whose credential row is inserted by a parallel attempt and deleted by a right PIN
before it can read it (seen once in 40 parallel attempts on PostgreSQL: IntegrityError on
mes_credentiallock_key) is counted, not turned into a server error."""

from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.db.models import QuerySet

from mes.lockout import credential_attempt_claim
from mes.models import CredentialLock

pytestmark = pytest.mark.django_db


def test_a_row_that_vanished_under_the_claim_is_inserted_again(monkeypatch):
    real = QuerySet.get_or_create
    calls = []

    def vanished_once(self, *args, **kwargs):  # noqa: ANN001, ANN202 - the injected fault
        calls.append(1)
        if len(calls) == 1:
            raise IntegrityError('duplicate key value violates "mes_credentiallock_key"')
        return real(self, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "get_or_create", vanished_once)

    claim = credential_attempt_claim(key="badge:B-1042", limit=5, cool_off=timedelta(minutes=15))

    assert claim.allowed and claim.locked_until is None
    assert len(calls) == 2
    assert CredentialLock.objects.get(key="badge:B-1042").attempts == 1


def test_a_row_that_keeps_vanishing_is_an_error_not_a_free_attempt(monkeypatch):
    def always(self, *args, **kwargs):  # noqa: ANN001, ANN202 - the injected fault
        raise IntegrityError("duplicate key")

    monkeypatch.setattr(QuerySet, "get_or_create", always)

    with pytest.raises(IntegrityError):
        credential_attempt_claim(key="badge:B-1042", limit=5, cool_off=timedelta(minutes=15))
