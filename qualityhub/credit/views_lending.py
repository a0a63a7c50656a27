"""Lender report pages: the enterprise's consents and access log, the bank's list of
enterprises that consented and their reports, and the public verification page."""

import django_filters
import django_tables2 as tables
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import escape_uri_path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views import View

from qualityhub.core.http import client_address
from qualityhub.accounts.choices import OrganisationKind
from qualityhub.accounts.models import Organisation
from qualityhub.core.tables import QualityTable
from qualityhub.core.views import ActorMixin, ListPageView
from qualityhub.credit import lending
from qualityhub.credit.lending_pdf import report_pdf
from qualityhub.credit.models import AccessAction, LenderConsent, ReportAccess, ReportKind


def client_ip(request):
    return client_address(request.META) or None


# ---------------------------------------------------------------- enterprise


class ConsentForm(forms.Form):
    bank = forms.ModelChoiceField(
        label=_l("被授权银行"), queryset=Organisation.objects.filter(kind=OrganisationKind.BANK).order_by("name"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    report_kind = forms.ChoiceField(
        label=_l("报告类型"), choices=ReportKind.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    share_risk_class = forms.BooleanField(
        label=_l("同意提供风险分类"), required=False, help_text=_l("仅完整版报告；不勾选则报告不含风险分类。"),
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    valid_until = forms.DateField(
        label=_l("授权截止日期"), help_text=_l("最长一年。"),
        widget=forms.DateInput(attrs={"class": "form-control", "type": "date"}),
    )


class ConsentListView(ActorMixin, View):
    """The enterprise's consents (grant form, revoke buttons)."""

    template_name = "credit/lending/consent_list.html"

    def _render(self, request, form, status=200):
        actor = self.actor
        if not actor.is_enterprise:
            raise Http404
        page = Paginator(lending.consents_of_enterprise(actor=actor), 50).get_page(request.GET.get("page"))
        today = timezone.localdate()
        rows = [(c, c.is_active(today)) for c in page.object_list]
        return render(
            request, self.template_name,
            {"form": form, "page": page, "rows": rows, "can_manage": actor.is_org_admin},
            status=status,
        )

    def get(self, request):
        return self._render(request, ConsentForm())

    def post(self, request):
        actor = self.actor
        if not actor.is_enterprise:
            raise Http404
        form = ConsentForm(data=request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                lending.consent_grant(
                    actor=actor, bank=data["bank"], report_kind=data["report_kind"],
                    share_risk_class=data["share_risk_class"], valid_until=data["valid_until"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("已授权“%(bank)s”查询本企业质量信用报告。") % {"bank": data["bank"].name})
                return redirect("credit:lending-consent-list")
        return self._render(request, form, status=400)


class ConsentRevokeView(ActorMixin, View):
    def post(self, request, pk):
        lending.consent_revoke(actor=self.actor, pk=pk)
        messages.success(request, _("已撤回授权。"))
        return redirect("credit:lending-consent-list")


class AccessTable(QualityTable):
    at = tables.DateTimeColumn(verbose_name=_l("时间"), format="Y-m-d H:i:s")
    bank = tables.Column(verbose_name=_l("银行"), accessor="bank__name", orderable=False)
    user = tables.Column(verbose_name=_l("查询人"), accessor="user__name", orderable=False, default="—")
    action = tables.Column(verbose_name=_l("操作"), orderable=False)
    report = tables.Column(verbose_name=_l("核验编号"), accessor="report__number", orderable=False)
    ip = tables.Column(verbose_name=_l("IP 地址"), orderable=False, default="—")

    class Meta:
        model = ReportAccess
        fields = ("at", "bank", "user", "action", "report", "ip")
        order_by = ("-at",)

    def render_action(self, record):
        return record.get_action_display()

    def value_action(self, record):
        return record.get_action_display()


class AccessFilter(django_filters.FilterSet):
    action = django_filters.ChoiceFilter(label=_l("操作"), choices=AccessAction.choices)

    class Meta:
        model = ReportAccess
        fields = ["action"]


class AccessLogView(ListPageView):
    table_class = AccessTable
    filterset_class = AccessFilter
    page_title = _l("报告查询记录")
    export_name = "report-access"

    def get_queryset(self):
        if not self.actor.is_enterprise:
            raise Http404
        return lending.access_log(actor=self.actor)


# ---------------------------------------------------------------- bank


class GrantedTable(QualityTable):
    enterprise = tables.Column(
        verbose_name=_l("企业名称"), accessor="enterprise__name", order_by=("enterprise__name",),
        linkify=("credit:lending-report", {"pk": tables.A("pk")}),
    )
    uscc = tables.Column(verbose_name=_l("统一社会信用代码"), accessor="enterprise__uscc", orderable=False)
    city = tables.Column(verbose_name=_l("地市"), accessor="enterprise__city__name", orderable=False)
    report_kind = tables.Column(verbose_name=_l("报告类型"), orderable=False)
    share_risk_class = tables.BooleanColumn(verbose_name=_l("含风险分类"), orderable=False)
    valid_until = tables.DateColumn(verbose_name=_l("授权截止日期"), format="Y-m-d")

    class Meta:
        model = LenderConsent
        fields = ("enterprise", "uscc", "city", "report_kind", "share_risk_class", "valid_until")
        order_by = ("-id",)

    def render_report_kind(self, record):
        return record.get_report_kind_display()

    def value_report_kind(self, record):
        return record.get_report_kind_display()


class GrantedFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_l("企业名称"), field_name="enterprise__name", lookup_expr="icontains")

    class Meta:
        model = LenderConsent
        fields = ["q"]


class GrantedListView(ListPageView):
    """The enterprises whose active consent lets this bank read their report."""

    table_class = GrantedTable
    filterset_class = GrantedFilter
    page_title = _l("已授权企业")
    export_name = "consented-enterprises"

    def get_queryset(self):
        if not self.actor.is_bank:
            raise Http404
        return lending.consents_for_bank(actor=self.actor)


class ReportView(ActorMixin, View):
    """Opening the report issues a stamped one and logs the view."""

    def get(self, request, pk):
        report = lending.report_issue(actor=self.actor, consent_pk=pk, action=AccessAction.VIEW, ip=client_ip(request))
        return render(request, "credit/lending/report.html", {"report": report, "s": report.snapshot})


class ReportDownloadView(ActorMixin, View):
    def get(self, request, pk):
        report = lending.report_issue(
            actor=self.actor, consent_pk=pk, action=AccessAction.DOWNLOAD, ip=client_ip(request)
        )
        verify_url = request.build_absolute_uri(reverse("credit-verify:verify", args=[report.number]))
        response = HttpResponse(report_pdf(report, verify_url), content_type="application/pdf")
        filename = _("质量信用报告-%(number)s.pdf") % {"number": report.number}
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(filename)}"
        return response


# ---------------------------------------------------------------- public


def verify(request, number):
    result = lending.report_verify(number)
    return render(request, "credit/lending/verify.html", {"result": result, "number": number[:40]})
