"""Signing in and out: mobile or email, argon2, lockout after repeated failures, and
switching the organisation a user acts for."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from qualityhub.accounts.choices import MembershipRole
from qualityhub.accounts.models import Membership, User
from qualityhub.core.scoping import ACTIVE_ORGANISATION_SESSION_KEY
from qualityhub.core.testing.factories import EnterpriseFactory, MembershipFactory, UserFactory, region

PASSWORD = "Test@12345"
WRONG = "Wrong@99999"
INVALID_LOGIN = "手机号/邮箱或密码不正确"
LOCKED = "密码错误次数过多，账号已暂时锁定"

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    return UserFactory(email="zhang.san@example.cn", mobile="13912345678", name="张三")


def _login(client, username, password):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def _signed_in_as(client):
    return client.session.get(SESSION_KEY)


def test_it_signs_in_with_the_mobile_number(person):
    client = Client()
    response = _login(client, "13912345678", PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("core:dashboard")
    assert _signed_in_as(client) == str(person.pk)


def test_it_signs_in_with_the_email_whatever_its_case(person):
    client = Client()
    response = _login(client, "  Zhang.San@EXAMPLE.cn ", PASSWORD)
    assert response.status_code == 302
    assert _signed_in_as(client) == str(person.pk)


def test_email_addresses_are_stored_in_lower_case():
    user = User.objects.create_user(email="Li.Si@Example.CN", password=PASSWORD, name="李四")
    assert user.email == "li.si@example.cn"


def test_a_wrong_password_is_refused_with_a_chinese_message(person):
    client = Client()
    response = _login(client, "13912345678", WRONG)
    assert response.status_code == 200
    assert INVALID_LOGIN in response.content.decode()
    assert _signed_in_as(client) is None
    person.refresh_from_db()
    assert person.failed_logins == 1


def test_an_unknown_account_gets_the_same_message_as_a_wrong_password(person):
    client = Client()
    response = _login(client, "13900000000", PASSWORD)
    assert response.status_code == 200
    assert INVALID_LOGIN in response.content.decode()
    assert _signed_in_as(client) is None


def test_a_successful_login_clears_earlier_failures(person):
    client = Client()
    _login(client, "13912345678", WRONG)
    _login(client, "13912345678", WRONG)
    assert _login(client, "13912345678", PASSWORD).status_code == 302
    person.refresh_from_db()
    assert person.failed_logins == 0
    assert person.locked_until is None


def _fail_until_locked(client, username):
    return [_login(client, username, WRONG) for _ in range(settings.LOGIN_FAILURE_LIMIT)]


def test_it_locks_the_account_after_the_failure_limit(person):
    assert settings.LOGIN_FAILURE_LIMIT >= 2
    client = Client()
    responses = _fail_until_locked(client, "13912345678")
    # Every failure before the limit reads as a plain wrong password ...
    for response in responses[:-1]:
        assert INVALID_LOGIN in response.content.decode()
        assert LOCKED not in response.content.decode()
    # ... the one that reaches it says the account is locked, and for how long.
    last = responses[-1].content.decode()
    assert LOCKED in last
    assert f"{settings.LOGIN_LOCKOUT_MINUTES} 分钟后再试" in last
    person.refresh_from_db()
    assert person.is_locked
    assert person.failed_logins == settings.LOGIN_FAILURE_LIMIT


def test_one_failure_short_of_the_limit_does_not_lock(person):
    client = Client()
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        _login(client, "13912345678", WRONG)
    person.refresh_from_db()
    assert not person.is_locked
    assert _login(client, "13912345678", PASSWORD).status_code == 302


def test_a_locked_account_refuses_even_the_right_password(person):
    _fail_until_locked(Client(), "13912345678")
    for username in ("13912345678", "zhang.san@example.cn"):
        client = Client()
        response = _login(client, username, PASSWORD)
        assert response.status_code == 200
        assert LOCKED in response.content.decode()
        assert _signed_in_as(client) is None


def test_attempts_while_locked_do_not_extend_the_lock(person):
    _fail_until_locked(Client(), "13912345678")
    person.refresh_from_db()
    locked_until = person.locked_until
    _login(Client(), "13912345678", WRONG)
    person.refresh_from_db()
    assert person.locked_until == locked_until


def test_lockout_failures_are_counted_per_account(person):
    other = UserFactory(mobile="13987654321")
    _fail_until_locked(Client(), "13912345678")
    client = Client()
    assert _login(client, "13987654321", PASSWORD).status_code == 302
    assert _signed_in_as(client) == str(other.pk)


def test_the_account_unlocks_when_the_lockout_period_has_passed(person):
    _fail_until_locked(Client(), "13912345678")
    # Move the lock (and the failures behind it) one lockout period into the past.
    shift = timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES, seconds=1)
    person.refresh_from_db()
    User.objects.filter(pk=person.pk).update(
        locked_until=person.locked_until - shift, last_failed_login=person.last_failed_login - shift
    )
    person.refresh_from_db()
    assert not person.is_locked
    client = Client()
    assert _login(client, "13912345678", PASSWORD).status_code == 302
    assert _signed_in_as(client) == str(person.pk)
    person.refresh_from_db()
    assert person.failed_logins == 0 and person.locked_until is None


def test_after_the_lock_expires_a_single_wrong_password_does_not_relock(person):
    _fail_until_locked(Client(), "13912345678")
    shift = timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES, seconds=1)
    person.refresh_from_db()
    User.objects.filter(pk=person.pk).update(
        locked_until=person.locked_until - shift, last_failed_login=person.last_failed_login - shift
    )
    response = _login(Client(), "13912345678", WRONG)
    assert INVALID_LOGIN in response.content.decode()
    person.refresh_from_db()
    assert not person.is_locked
    assert person.failed_logins == 1


def test_old_failures_outside_the_window_do_not_count(person):
    # LIMIT-1 failures long ago, then one now: the window restarts, no lock.
    long_ago = timezone.now() - timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES + 5)
    User.objects.filter(pk=person.pk).update(failed_logins=settings.LOGIN_FAILURE_LIMIT - 1, last_failed_login=long_ago)
    _login(Client(), "13912345678", WRONG)
    person.refresh_from_db()
    assert not person.is_locked
    assert person.failed_logins == 1


def test_passwords_are_hashed_with_argon2():
    user = User.objects.create_user(email="wang.wu@example.cn", password=PASSWORD, name="王五")
    assert user.password.startswith("argon2")
    assert PASSWORD not in user.password
    assert user.check_password(PASSWORD)
    factory_user = UserFactory()
    assert factory_user.password.startswith("argon2")


def test_an_inactive_account_cannot_sign_in():
    UserFactory(mobile="13911112222", is_active=False)
    client = Client()
    response = _login(client, "13911112222", PASSWORD)
    assert response.status_code == 200
    assert _signed_in_as(client) is None


def test_logout_ends_the_session(person):
    client = Client()
    _login(client, "13912345678", PASSWORD)
    assert client.get(reverse("core:dashboard")).status_code == 200
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response.url == reverse("accounts:login")
    assert _signed_in_as(client) is None
    after = client.get(reverse("core:dashboard"))
    assert after.status_code == 302
    assert after.url.startswith(reverse("accounts:login"))


# --- the organisation a user acts for ------------------------------------------------------


@pytest.fixture
def two_hats():
    """A user who is admin of one enterprise and staff of another."""
    first = EnterpriseFactory(name="深圳市第一电器有限公司", region=region("440305"))
    second = EnterpriseFactory(name="广州市第二服装有限公司", region=region("440106"))
    user = UserFactory()
    MembershipFactory(user=user, organisation=first, role=MembershipRole.ADMIN)
    MembershipFactory(user=user, organisation=second, role=MembershipRole.STAFF)
    stranger = EnterpriseFactory(name="佛山市陌生陶瓷有限公司", region=region("440604"))
    client = Client()
    client.force_login(user)
    return user, first, second, stranger, client


def _me(client):
    response = client.get(reverse("api:me"))
    assert response.status_code == 200
    return response.json()


def test_a_member_of_two_organisations_acts_for_the_first_by_default(two_hats):
    user, first, second, stranger, client = two_hats
    me = _me(client)
    assert me["organisation"]["id"] == first.pk
    assert me["role"] == MembershipRole.ADMIN


def test_switching_the_active_organisation_changes_organisation_and_role(two_hats):
    user, first, second, stranger, client = two_hats
    response = client.post(reverse("core:organisation-switch"), {"organisation": second.pk})
    assert response.status_code == 302
    assert response.url == reverse("core:dashboard")
    assert client.session[ACTIVE_ORGANISATION_SESSION_KEY] == second.pk
    me = _me(client)
    assert me["organisation"]["id"] == second.pk
    assert me["role"] == MembershipRole.STAFF
    # The member list follows the active organisation.
    page = client.get(reverse("accounts:member-list")).content.decode()
    assert second.name in page
    # And back again.
    client.post(reverse("core:organisation-switch"), {"organisation": first.pk})
    assert _me(client)["organisation"]["id"] == first.pk


def test_switching_to_an_organisation_the_user_is_not_a_member_of_is_refused(two_hats):
    user, first, second, stranger, client = two_hats
    client.post(reverse("core:organisation-switch"), {"organisation": second.pk})
    response = client.post(reverse("core:organisation-switch"), {"organisation": stranger.pk})
    assert response.status_code == 404
    assert client.session[ACTIVE_ORGANISATION_SESSION_KEY] == second.pk
    assert _me(client)["organisation"]["id"] == second.pk


@pytest.mark.parametrize("value", ["", "abc", "999999999"])
def test_switching_with_a_malformed_or_unknown_organisation_is_refused(two_hats, value):
    user, first, second, stranger, client = two_hats
    response = client.post(reverse("core:organisation-switch"), {"organisation": value})
    assert response.status_code == 404
    assert ACTIVE_ORGANISATION_SESSION_KEY not in client.session


def test_switching_needs_a_post(two_hats):
    user, first, second, stranger, client = two_hats
    assert client.get(reverse("core:organisation-switch"), {"organisation": second.pk}).status_code == 404
    assert ACTIVE_ORGANISATION_SESSION_KEY not in client.session


def test_losing_the_membership_falls_back_to_a_remaining_organisation(two_hats):
    user, first, second, stranger, client = two_hats
    client.post(reverse("core:organisation-switch"), {"organisation": second.pk})
    Membership.objects.filter(user=user, organisation=second).delete()
    me = _me(client)
    assert me["organisation"]["id"] == first.pk
    assert me["role"] == MembershipRole.ADMIN
