from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from qualityhub.accounts.choices import MembershipRole


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("手机号或邮箱"), max_length=254, widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"})
    )
    error_messages = {
        "invalid_login": _("手机号/邮箱或密码不正确。连续输错多次后账号将被暂时锁定。"),
        "inactive": _("该账号已停用。"),
        "locked": _("密码错误次数过多，账号已暂时锁定，请 %(minutes)d 分钟后再试。"),
    }

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            if getattr(self.request, "login_locked_user", None) is not None:
                from django.conf import settings

                raise forms.ValidationError(
                    self.error_messages["locked"] % {"minutes": settings.LOGIN_LOCKOUT_MINUTES}, code="locked"
                )
            raise


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("用途"), max_length=100)
    role = forms.ChoiceField(label=_("权限"), choices=MembershipRole.choices, initial=MembershipRole.STAFF)
    expires_at = forms.DateTimeField(label=_("过期时间"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
