from datetime import timedelta

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.db.models import F, Q
from django.utils import timezone

from qualityhub.accounts.models import User


def find_user(identifier):
    identifier = (identifier or "").strip()
    if not identifier:
        return None
    return User.objects.filter(Q(email__iexact=identifier) | Q(mobile=identifier)).first()


class MobileOrEmailBackend(ModelBackend):
    """Sign in with a mobile number or an email address.

    Repeated wrong passwords lock the account: after ``LOGIN_FAILURE_LIMIT`` failures
    within ``LOGIN_LOCKOUT_MINUTES`` no password is accepted until the window ends,
    so guessing cannot continue even with the right password in the list.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        user = find_user(username or kwargs.get("email"))
        if user is None:
            User().set_password(password)  # equal time for unknown accounts
            return None
        now = timezone.now()
        if user.is_locked:
            if request is not None:
                request.login_locked_user = user
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            if user.failed_logins:
                User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None, last_failed_login=None)
            return user
        window = timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
        if user.last_failed_login is None or now - user.last_failed_login > window:
            User.objects.filter(pk=user.pk).update(failed_logins=1, last_failed_login=now)
            failures = 1
        else:
            User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1, last_failed_login=now)
            failures = user.failed_logins + 1
        if failures >= settings.LOGIN_FAILURE_LIMIT:
            User.objects.filter(pk=user.pk).update(locked_until=now + window)
            if request is not None:
                request.login_locked_user = user
        return None
