from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from qualityhub.accounts import services
from qualityhub.accounts.demo import demo_accounts
from qualityhub.accounts.forms import ApiTokenForm, LoginForm
from qualityhub.accounts.models import ApiToken, Membership
from qualityhub.core.forms import BootstrapFormMixin
from qualityhub.core.scoping import access, visible
from qualityhub.core.views import ActorMixin


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        for field in form.fields.values():
            field.widget.attrs["class"] = "form-control"
        return form

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["demo_accounts"] = demo_accounts()
        return context


class LogoutView(auth_views.LogoutView):
    pass


class StyledTokenForm(BootstrapFormMixin, ApiTokenForm):
    pass


class ApiTokenListView(ActorMixin, View):
    """An organisation's API tokens. Admins create and revoke; the secret is shown
    once, right after creation."""

    template_name = "accounts/token_list.html"

    def _context(self, form=None, secret=None):
        tokens = visible(ApiToken, self.actor).select_related("created_by").order_by("-created_at")
        return {"tokens": tokens, "form": form or StyledTokenForm(), "secret": secret, "can_manage": self.actor.is_org_admin}

    def get(self, request):
        return render(request, self.template_name, self._context())

    def post(self, request):
        if not self.actor.is_org_admin:
            return render(request, self.template_name, self._context(), status=403)
        form = StyledTokenForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, self._context(form=form), status=400)
        token, secret = services.api_token_create(actor=self.actor, **form.cleaned_data)
        messages.success(request, _("令牌已创建。请立即复制保存，离开本页后将无法再次查看。"))
        return render(request, self.template_name, self._context(secret=secret))


class ApiTokenRevokeView(ActorMixin, View):
    def post(self, request, pk):
        token = access(ApiToken, self.actor, pk)
        if not self.actor.is_org_admin:
            messages.error(request, _("只有机构管理员可以吊销令牌。"))
            return redirect("accounts:token-list")
        services.api_token_revoke(actor=self.actor, token=token)
        messages.success(request, _("令牌已吊销。"))
        return redirect("accounts:token-list")


class MemberListView(ActorMixin, View):
    def get(self, request):
        members = visible(Membership, self.actor).filter(organisation=self.actor.organisation).select_related("user")
        return render(request, "accounts/member_list.html", {"members": members})
