"""Sign-in throttling (issue #19): the badge lockout holds under parallel attempts, and password
sign-in (/signin/, /api/auth/login/, /admin/login/) locks after AXES_FAILURE_LIMIT failures."""

import threading
from datetime import timedelta
from io import StringIO

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from mes.models import CredentialLock, OperatorProfile
from tests.factories import PASSWORD

RIGHT_PIN, WRONG_PIN = "4711", "0000"
PARALLEL = 40


@pytest.fixture
def badge(operator):
    profile = OperatorProfile(user=operator, badge_number="B-1042")
    profile.set_pin(RIGHT_PIN)
    profile.save()
    return profile


@pytest.fixture
def pins_checked(monkeypatch):
    """Every PIN the backend checks, in the order the checks start (thread-safe)."""
    checked: list[str] = []
    guard = threading.Lock()
    check_pin = OperatorProfile.check_pin

    def recording(self: OperatorProfile, pin: str) -> bool:
        with guard:
            checked.append(pin)
        return check_pin(self, pin)

    monkeypatch.setattr(OperatorProfile, "check_pin", recording)
    return checked


def _burst(path: str, forms: list[dict[str, str]]) -> list[int]:
    """POST every form to `path` at once: one thread, client and database connection each,
    released together by a barrier. Returns the status of each, in the order of `forms`."""
    barrier = threading.Barrier(len(forms))
    statuses: dict[int, int] = {}
    errors: list[BaseException] = []

    def attempt(index: int, form: dict[str, str]) -> None:
        try:
            barrier.wait(timeout=30)
            statuses[index] = Client().post(path, form).status_code
        except BaseException as exc:  # surfaced below, not lost in the thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=item) for item in enumerate(forms)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == [] and len(statuses) == len(forms)
    return [statuses[index] for index in range(len(forms))]


def _badge_burst(pins: list[str]) -> list[tuple[str, int]]:
    forms = [{"badge_number": "B-1042", "pin": pin} for pin in pins]
    return list(zip(pins, _burst("/signin/badge/", forms), strict=True))


def _assert_parallel_burst_bounded(pins_checked: list[str]) -> None:
    limit = settings.MES_PIN_FAILURE_LIMIT
    results = _badge_burst([WRONG_PIN] * (PARALLEL - 1) + [RIGHT_PIN])

    right_status = next(status for pin, status in results if pin == RIGHT_PIN)
    wrong_checked = pins_checked.count(WRONG_PIN)
    if right_status == 302:
        # The right PIN got in only because it was checked within the limit; its success clears
        # the count, so attempts after it may get their own `limit` (a forgetful operator's
        # mistakes before a good sign-in never lock the next one).
        assert pins_checked.index(RIGHT_PIN) < limit
        assert wrong_checked <= 2 * limit - 1
    else:
        # The limit was reached first: the right PIN was refused unchecked, and exactly `limit`
        # wrong ones were checked out of 39.
        assert wrong_checked == limit
        assert RIGHT_PIN not in pins_checked
        assert right_status == 429
    assert sum(status == 302 for _pin, status in results) == (1 if right_status == 302 else 0)


@pytest.mark.django_db(transaction=True)
def test_parallel_wrong_pins_check_no_more_than_the_limit_and_lock_the_right_one_out(
    badge, pins_checked
):
    """Given 40 wrong PINs at once, only the first MES_PIN_FAILURE_LIMIT are checked; the right
    PIN after them is refused, unchecked, with the time the lock ends."""
    results = _badge_burst([WRONG_PIN] * PARALLEL)

    assert pins_checked == [WRONG_PIN] * settings.MES_PIN_FAILURE_LIMIT
    assert {status for _pin, status in results} <= {200, 429}
    lock = CredentialLock.objects.get(key="badge:B-1042")
    assert lock.attempts == settings.MES_PIN_FAILURE_LIMIT and lock.locked_until > timezone.now()

    response = Client().post("/signin/badge/", {"badge_number": "B-1042", "pin": RIGHT_PIN})

    assert response.status_code == 429
    assert "Too many wrong PINs for this badge" in response.content.decode()
    assert len(pins_checked) == settings.MES_PIN_FAILURE_LIMIT  # the right PIN was not checked


@pytest.mark.django_db(transaction=True)
def test_39_wrong_and_1_right_pin_in_parallel_check_no_more_than_the_limit(badge, pins_checked):
    _assert_parallel_burst_bounded(pins_checked)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_39_wrong_and_1_right_pin_in_parallel_on_postgresql(badge, pins_checked):
    """The same burst on PostgreSQL, where the parallel requests really overlap (row locks, not
    SQLite's one writer at a time)."""
    assert connection.vendor == "postgresql"
    _assert_parallel_burst_bounded(pins_checked)


@pytest.fixture
def passwords_checked(monkeypatch):
    """Every password checked against a user, in the order the checks start (thread-safe)."""
    checked: list[str] = []
    guard = threading.Lock()
    check_password = User.check_password

    def recording(self: User, raw_password: str) -> bool:
        with guard:
            checked.append(raw_password)
        return check_password(self, raw_password)

    monkeypatch.setattr(User, "check_password", recording)
    return checked


@pytest.mark.django_db(transaction=True)
def test_parallel_wrong_passwords_check_no_more_than_the_limit(operator, passwords_checked):
    """axes alone checked ~37 of 40 parallel wrong passwords; queued per user name, the limit."""
    form = {"username": operator.username, "password": "wrong"}
    statuses = _burst("/signin/", [form] * PARALLEL)

    assert passwords_checked == ["wrong"] * settings.AXES_FAILURE_LIMIT
    assert sorted(statuses) == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429] * (
        PARALLEL - settings.AXES_FAILURE_LIMIT + 1
    )
    right = Client().post("/signin/", {"username": operator.username, "password": PASSWORD})
    assert right.status_code == 429


def _assert_parallel_password_burst_bounded(path: str, user: User, checked: list[str]) -> None:
    limit = settings.AXES_FAILURE_LIMIT
    forms = [{"username": user.username, "password": "wrong"}] * (PARALLEL - 1)
    statuses = _burst(path, [*forms, {"username": user.username, "password": PASSWORD}])

    wrong_checked = checked.count("wrong")
    if statuses[-1] == 302:
        assert checked.index(PASSWORD) < limit  # within the limit; its success cleared the count
        assert wrong_checked <= 2 * limit - 1
    else:
        assert wrong_checked == limit
        assert PASSWORD not in checked
        assert statuses[-1] == 429


@pytest.mark.django_db(transaction=True)
def test_39_wrong_and_1_right_password_in_parallel_check_no_more_than_the_limit(
    operator, passwords_checked
):
    _assert_parallel_password_burst_bounded("/api/auth/login/", operator, passwords_checked)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_39_wrong_and_1_right_password_in_parallel_on_postgresql(operator, passwords_checked):
    assert connection.vendor == "postgresql"
    _assert_parallel_password_burst_bounded("/signin/", operator, passwords_checked)


@pytest.mark.django_db
def test_a_badge_lock_ends_after_the_cool_off(client, badge, operator):
    for _attempt in range(settings.MES_PIN_FAILURE_LIMIT):
        client.post("/signin/badge/", {"badge_number": "B-1042", "pin": WRONG_PIN})
    past = timezone.now() - timedelta(seconds=settings.MES_PIN_COOLOFF_S + 1)
    CredentialLock.objects.filter(key="badge:B-1042").update(
        locked_until=past, last_attempt_at=past
    )

    response = client.post("/signin/badge/", {"badge_number": "B-1042", "pin": RIGHT_PIN})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(operator.pk)
    assert not CredentialLock.objects.exists()


@pytest.mark.django_db
def test_badge_unlock_lifts_the_lock_at_once(client, badge, operator):
    for _attempt in range(settings.MES_PIN_FAILURE_LIMIT):
        client.post("/signin/badge/", {"badge_number": "B-1042", "pin": WRONG_PIN})
    out = StringIO()

    call_command("badge_unlock", "B-1042", stdout=out)
    response = client.post("/signin/badge/", {"badge_number": "B-1042", "pin": RIGHT_PIN})

    assert out.getvalue() == "Badge B-1042 unlocked.\n"
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(operator.pk)


@pytest.mark.django_db
def test_a_locked_badge_is_refused_in_chinese(client, badge):
    for _attempt in range(settings.MES_PIN_FAILURE_LIMIT):
        response = client.post(
            "/signin/badge/",
            {"badge_number": "B-1042", "pin": WRONG_PIN},
            headers={"accept-language": "zh-hans"},
        )

    assert response.status_code == 429
    assert "此工牌的 PIN 错误次数过多" in response.content.decode()


@pytest.mark.django_db
def test_badge_attempts_are_not_counted_by_the_password_lockout(client, badge):
    """A tablet's badge typos must not lock user names (or every badge at that tablet)."""
    for _attempt in range(settings.AXES_FAILURE_LIMIT + 1):
        client.post("/signin/badge/", {"badge_number": "B-9999", "pin": WRONG_PIN})

    assert not AccessAttempt.objects.exists()
    assert CredentialLock.objects.get(key="badge:B-9999").locked_until is not None


@pytest.mark.django_db
def test_30_wrong_passwords_on_the_sign_in_page_lock_it_after_the_limit(client, operator):
    statuses = [
        client.post("/signin/", {"username": operator.username, "password": "wrong"}).status_code
        for _attempt in range(30)
    ]
    limit = settings.AXES_FAILURE_LIMIT

    assert statuses == [200] * (limit - 1) + [429] * (31 - limit)
    assert AccessAttempt.objects.get(username=operator.username).failures_since_start == limit

    response = client.post("/signin/", {"username": operator.username, "password": PASSWORD})

    assert response.status_code == 429
    assert "Too many wrong passwords for this user name" in response.content.decode()
    assert response["Retry-After"].isdigit()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_20_wrong_passwords_on_the_api_login_lock_it_with_a_json_error(client, operator):
    statuses = [
        client.post(
            "/api/auth/login/", {"username": operator.username, "password": "wrong"}
        ).status_code
        for _attempt in range(20)
    ]
    limit = settings.AXES_FAILURE_LIMIT

    assert statuses == [200] * (limit - 1) + [429] * (21 - limit)
    response = client.post(
        "/api/auth/login/", {"username": operator.username, "password": PASSWORD}
    )
    assert response.status_code == 429
    error = response.json()["error"]
    assert error["code"] == "locked_out" and error["fields"] == {}
    assert error["message"].startswith("Too many wrong passwords for this user name")
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_the_admin_login_is_locked_too(client):
    User.objects.create_superuser("ada.admin", "ada@example.com", PASSWORD)
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post("/admin/login/", {"username": "ada.admin", "password": "wrong"})

    response = client.post("/admin/login/", {"username": "ada.admin", "password": PASSWORD})

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_locked_password_sign_in_is_refused_in_chinese(client, operator):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(
            "/api/auth/login/",
            {"username": operator.username, "password": "wrong"},
            headers={"accept-language": "zh-hans"},
        )

    assert response.status_code == 429
    assert response.json()["error"]["message"].startswith("此用户名的密码错误次数过多")


@pytest.mark.django_db
def test_a_right_password_after_the_cool_off_signs_in(client, operator):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post("/signin/", {"username": operator.username, "password": "wrong"})
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    )

    response = client.post("/signin/", {"username": operator.username, "password": PASSWORD})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(operator.pk)
    assert not AccessAttempt.objects.exists()  # a right password clears the failures


@pytest.mark.django_db
def test_axes_reset_username_unlocks_a_user(client, operator):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post("/signin/", {"username": operator.username, "password": "wrong"})

    call_command("axes_reset_username", operator.username)
    response = client.post("/signin/", {"username": operator.username, "password": PASSWORD})

    assert response.status_code == 302


@pytest.mark.django_db
def test_behind_the_proxy_a_lockout_holds_the_guessers_address_not_the_user_everywhere(
    client, operator, settings
):
    """Every request reaches the web server from the proxy: without MES_PROXY_COUNT one guesser
    would lock the user out for the whole plant. A forged X-Forwarded-For entry left of the
    proxy's does not get the guesser a fresh count."""
    settings.MES_PROXY_COUNT = 1
    guesser = {"x-forwarded-for": "10.20.0.7"}
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post("/signin/", {"username": operator.username, "password": "w"}, headers=guesser)

    forged = {"x-forwarded-for": "192.0.2.1, 10.20.0.7"}
    locked = client.post(
        "/signin/", {"username": operator.username, "password": PASSWORD}, headers=forged
    )
    elsewhere = Client().post(
        "/signin/",
        {"username": operator.username, "password": PASSWORD},
        headers={"x-forwarded-for": "10.20.0.8"},
    )

    assert locked.status_code == 429
    assert elsewhere.status_code == 302
