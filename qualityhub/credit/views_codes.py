"""Credit code pages: the public page a scan opens (``/q/<code>``, no login) and the
management pages where an enterprise or a regulator issues, suspends and revokes codes
and downloads QR images and label sheets."""

import datetime

import django_filters
import django_tables2 as tables
from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views import View
from django.views.decorators.http import require_safe

from qualityhub.core.forms import BootstrapFormMixin, FilterForm
from qualityhub.core.scoping import can_change
from qualityhub.core.tables import QualityTable
from qualityhub.core.views import ActorMixin, ListPageView
from qualityhub.credit import code_scans, codes
from qualityhub.credit.models import CodeReport, CodeStatus, CreditCode

# --- the public page -------------------------------------------------------------------

# The rendered page is shared by every code of its product; these marks stand for what
# differs per code and per scan. (The code's mark must survive URL quoting: ASCII.)
CODE_MARK = "~~QCODE~~"
SCANS_MARK = "\u27e6scans\u27e7"
COPIED_MARK = "\u27e6copied\u27e7"


def code_url(request, code):
    """The absolute URL printed in the QR code."""
    base = getattr(settings, "CREDIT_CODE_BASE_URL", "")
    path = reverse("qcode:page", args=[code])
    return f"{base.rstrip('/')}{path}" if base else request.build_absolute_uri(path)


def _warning(request, status, *, code="", reason="", changed=None, http_status=200):
    # Rendered without the request: the public pages need no context processor.
    response = HttpResponse(
        render_to_string("credit/codes/warning.html", {"state": status, "code": code, "reason": reason, "changed": changed}),
        status=http_status,
    )
    response["Cache-Control"] = "no-store"
    return response


def _scans_html(total, first):
    if total <= 1:
        return format_html('<p class="mb-0" id="scan-stats">{}</p>', _("您是第一位扫描此码的人。"))
    first_text = timezone.localtime(first).strftime("%Y-%m-%d %H:%M") if first else "—"
    return format_html(
        '<p class="mb-0" id="scan-stats">{}</p>',
        _("此码已被扫描 %(count)s 次，首次扫描于 %(first)s。") % {"count": total, "first": first_text},
    )


def _copied_html():
    return format_html(
        '<div class="alert alert-warning" role="alert" id="copy-warning"><strong>{}</strong><div>{}</div></div>',
        _("此码疑似被复制"),
        _("短时间内有大量不同设备扫描了此码，您手中的产品可能不是正品。请谨慎购买，可点击下方“反映问题”告知我们。"),
    )


def _datetime(epoch):
    return datetime.datetime.fromtimestamp(epoch, tz=datetime.timezone.utc) if epoch else None


@require_safe
def code_page(request, code):
    """What a scan opens. With Redis one cache round trip and no database query when
    warm (credit/code_scans.py); never anything private."""
    normal = codes.code_normalise(code)
    if normal is None:
        return _warning(request, "unknown", code=code[:40], http_status=404)
    language = translation.get_language()
    # A scan the WSGI short path (credit/fastpath.py) already counted comes with it.
    scan = request.META.get(SCAN_ENVIRON_KEY) or code_scans.scan(normal, code_scans.client_id(request), language)
    entry = scan.entry
    if entry is None:
        entry = codes.code_lookup(normal) or code_scans.UNKNOWN
        code_scans.entry_store(normal, entry)
    status = entry["status"]
    if status == "unknown":
        return _warning(request, "unknown", code=normal, http_status=404)
    if status != CodeStatus.ACTIVE:
        return _warning(
            request, status, code=normal, reason=entry["reason"], changed=_datetime(entry["changed"]),
            http_status=410 if status == CodeStatus.REVOKED else 200,
        )
    page = scan.page
    if page is None:
        page = code_scans.page_get(scan.generation, language, entry["product"])
    if page is None:
        data = codes.product_public_data(entry["product"])
        page = "" if data is None else render_to_string(
            "credit/codes/public.html",
            {"data": data, "code": CODE_MARK, "scans_mark": SCANS_MARK, "copied_mark": COPIED_MARK},
        )
        code_scans.page_store(scan.generation, language, entry["product"], page)
    if not page:
        return _warning(request, CodeStatus.SUSPENDED, code=normal, reason=_("该产品信息暂不公开。"))
    response = HttpResponse(page_html(normal, entry, scan, page))
    # Each scan counts and shows the count: browsers must ask again.
    response["Cache-Control"] = "no-cache"
    code_scans.maybe_flush(response)
    return response


SCAN_ENVIRON_KEY = "qualityhub.credit_code_scan"


def page_html(code, entry, scan, page):
    """The cached page with this scan's figures and, if the code looks copied, the
    warning (which also marks the code for the flush)."""
    copied = entry["flagged"] or scan.distinct > code_scans.copy_threshold()
    if copied and not entry["flagged"]:
        code_scans.flag_copied(code)
    first = _datetime(entry["first"] or scan.first)
    return (
        page.replace(SCANS_MARK, _scans_html(entry["scans"] + scan.pending, first), 1)
        .replace(COPIED_MARK, _copied_html() if copied else "", 1)
        .replace(CODE_MARK, code)
    )


class ReportForm(BootstrapFormMixin, forms.Form):
    category = forms.ChoiceField(
        label=_l("问题类型"), choices=CodeReport.Category.choices,
        error_messages={"required": _l("请选择问题类型。"), "invalid_choice": _l("问题类型不正确，请重新选择。")},
    )
    description = forms.CharField(
        label=_l("问题描述"), max_length=1000, widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _l("请填写问题描述。"), "max_length": _l("问题描述不能超过 1000 字。")},
    )
    contact = forms.CharField(
        label=_l("联系方式（选填）"), max_length=60, required=False,
        help_text=_l("仅生产企业和监管部门可见，便于核实。"),
        error_messages={"max_length": _l("联系方式不能超过 60 个字符。")},
    )


REPORTS_PER_CLIENT_HOUR = 5


class CodeReportView(View):
    """A short form a consumer fills to report a problem with the product or code."""

    template_name = "credit/codes/report.html"

    def get(self, request, code):
        obj = codes.code_for_report(code)
        return render(request, self.template_name, {"form": ReportForm(), "code": obj})

    def post(self, request, code):
        obj = codes.code_for_report(code)
        form = ReportForm(data=request.POST)
        key = f"qcode:r:{code_scans.client_id(request)}"
        if form.is_valid():
            if not cache.add(key, 1, 3600) and cache.incr(key) > REPORTS_PER_CLIENT_HOUR:
                form.add_error(None, _("提交过于频繁，请稍后再试。"))
            else:
                codes.code_report_create(code=obj, **form.cleaned_data)
                return render(request, self.template_name, {"code": obj, "done": True})
        return render(request, self.template_name, {"form": form, "code": obj}, status=400)


# --- management -------------------------------------------------------------------------


class CodeTable(QualityTable):
    code = tables.Column(verbose_name=_l("信用码"), linkify=("credit:code-detail", {"pk": tables.A("pk")}))
    product = tables.Column(verbose_name=_l("产品"), accessor="product__name", order_by=("product__name",))
    model = tables.Column(verbose_name=_l("型号规格"), accessor="product__model", orderable=False)
    batch = tables.Column(verbose_name=_l("赋码批次"), accessor="batch_id", default="—")
    status = tables.Column(verbose_name=_l("状态"))
    scan_count = tables.Column(verbose_name=_l("扫码次数"))
    first_scanned_at = tables.DateTimeColumn(verbose_name=_l("首次扫码时间"), format="Y-m-d H:i", default="—")
    copy_flagged_at = tables.Column(verbose_name=_l("疑似复制"), empty_values=(), orderable=False)
    created_at = tables.DateTimeColumn(verbose_name=_l("赋码时间"), format="Y-m-d H:i")

    class Meta:
        model = CreditCode
        fields = ("code", "product", "model", "batch", "status", "scan_count", "first_scanned_at", "copy_flagged_at", "created_at")
        order_by = ("-id",)

    def render_copy_flagged_at(self, record):
        return _("是") if record.copy_flagged_at else "—"

    def value_copy_flagged_at(self, record):
        return self.render_copy_flagged_at(record)


class CodeFilter(django_filters.FilterSet):
    code = django_filters.CharFilter(label=_l("信用码"), method="filter_code")
    product = django_filters.NumberFilter(label=_l("产品编号"), field_name="product_id")
    batch = django_filters.NumberFilter(label=_l("批次编号"), field_name="batch_id")
    status = django_filters.ChoiceFilter(label=_l("状态"), choices=CodeStatus.choices)
    flagged = django_filters.BooleanFilter(label=_l("疑似复制"), field_name="copy_flagged_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = CreditCode
        form = FilterForm
        fields = ["code", "product", "batch", "status", "flagged"]

    def filter_code(self, queryset, name, value):
        normal = codes.code_normalise(value)
        return queryset.filter(code=normal) if normal else queryset.none()


class CodeListView(ListPageView):
    table_class = CodeTable
    filterset_class = CodeFilter
    page_title = _l("产品质量信用码")
    export_name = "credit-codes"

    def get_queryset(self):
        if not self.actor.is_authenticated or self.actor.organisation is None and not self.actor.is_platform_admin:
            raise Http404
        return codes.code_list(actor=self.actor).order_by("-id")


class IssueForm(BootstrapFormMixin, forms.Form):
    quantity = forms.IntegerField(
        label=_l("赋码数量"), min_value=1, max_value=codes.BATCH_MAX, initial=1,
        help_text=_l("1 为单个赋码；大于 1 时作为一个批次生成，可打印标签。"),
        error_messages={
            "required": _l("请填写赋码数量。"),
            "invalid": _l("赋码数量须为整数。"),
            "min_value": _l("赋码数量至少为 1。"),
            "max_value": _l("赋码数量一次不能超过 %(limit_value)s。"),
        },
    )
    note = forms.CharField(
        label=_l("批次说明"), max_length=120, required=False,
        error_messages={"max_length": _l("批次说明不能超过 120 字。")},
    )


class StatusForm(BootstrapFormMixin, forms.Form):
    ACTIONS = (("suspend", _l("暂停")), ("revoke", _l("注销")), ("reinstate", _l("恢复")))
    action = forms.ChoiceField(
        label=_l("操作"), choices=ACTIONS,
        error_messages={"required": _l("请选择操作。"), "invalid_choice": _l("操作不正确，请重新选择。")},
    )
    reason = forms.CharField(
        label=_l("原因"), max_length=200, help_text=_l("扫码者将看到此原因。"),
        error_messages={"required": _l("请填写原因：扫码者将看到它。"), "max_length": _l("原因不能超过 200 个字。")},
    )


def _apply_errors(form, exc):
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)


class ProductCodesView(ActorMixin, View):
    """A product's codes: the issue form, its batches (label sheets) and the reports
    consumers sent. The code table itself is the list page filtered by product."""

    template_name = "credit/codes/product.html"

    def _context(self, product, form):
        return {
            "product": product,
            "form": form,
            "batches": list(codes.batch_list(actor=self.actor, product=product)[:50]),
            "recent": list(codes.code_list(actor=self.actor, product=product).order_by("-id")[:20]),
            "reports": list(codes.report_list(actor=self.actor, product=product)[:20]),
        }

    def get(self, request, pk):
        product = codes.code_product_access(actor=self.actor, pk=pk)
        return render(request, self.template_name, self._context(product, IssueForm()))

    def post(self, request, pk):
        product = codes.code_product_access(actor=self.actor, pk=pk)
        form = IssueForm(data=request.POST)
        if form.is_valid():
            quantity = form.cleaned_data["quantity"]
            try:
                if quantity == 1 and not form.cleaned_data["note"]:
                    code = codes.code_issue(actor=self.actor, product=product)
                    messages.success(request, _("已赋码：%(code)s。") % {"code": code.code})
                    return redirect("credit:code-detail", pk=code.pk)
                batch = codes.code_batch_issue(actor=self.actor, product=product, quantity=quantity, note=form.cleaned_data["note"])
                messages.success(request, _("已生成 %(n)s 个信用码。") % {"n": quantity})
                return redirect("credit:code-product", pk=product.pk)
            except ValidationError as exc:
                _apply_errors(form, exc)
        return render(request, self.template_name, self._context(product, form), status=400)


class CodeDetailView(ActorMixin, View):
    template_name = "credit/codes/detail.html"

    def _context(self, code, form):
        url = code_url(self.request, code.code)
        return {
            "code": code,
            "url": url,
            "qr_svg": codes.qr_svg_inline(url),
            "can_edit": can_change(self.actor, code),
            "form": form,
        }

    def get(self, request, pk):
        code = codes.code_access(actor=self.actor, pk=pk)
        return render(request, self.template_name, self._context(code, StatusForm()))

    def post(self, request, pk):
        code = codes.code_access(actor=self.actor, pk=pk, action="change")
        form = StatusForm(data=request.POST)
        if form.is_valid():
            service = {"suspend": codes.code_suspend, "revoke": codes.code_revoke, "reinstate": codes.code_reinstate}[
                form.cleaned_data["action"]
            ]
            try:
                service(actor=self.actor, code=code, reason=form.cleaned_data["reason"])
                messages.success(request, _("已更新信用码状态。"))
                return redirect("credit:code-detail", pk=code.pk)
            except ValidationError as exc:
                _apply_errors(form, exc)
        return render(request, self.template_name, self._context(code, form), status=400)


class CodeQrView(ActorMixin, View):
    """The QR image of a code, to download (404 outside the actor's scope)."""

    def get(self, request, pk, fmt):
        if fmt not in ("svg", "png"):
            raise Http404
        code = codes.code_access(actor=self.actor, pk=pk)
        url = code_url(request, code.code)
        if fmt == "svg":
            response = HttpResponse(codes.qr_svg(url), content_type="image/svg+xml")
        else:
            response = HttpResponse(codes.qr_png(url), content_type="image/png")
        response["Content-Disposition"] = f'attachment; filename="credit-code-{code.code}.{fmt}"'
        return response


class BatchLabelsView(ActorMixin, View):
    """A printable A4 sheet of labels for a batch: QR, product name and code."""

    PER_PAGE = 1000  # one print job; a bigger batch prints in several

    def get(self, request, pk):
        batch = codes.batch_access(actor=self.actor, pk=pk)
        try:
            page = max(1, int(request.GET.get("page", 1)))
        except ValueError:
            page = 1
        rows = codes.batch_codes(batch=batch, start=(page - 1) * self.PER_PAGE, stop=page * self.PER_PAGE)
        labels = [{"code": c, "svg": codes.qr_svg_inline(code_url(request, c))} for c in rows]
        pages = (batch.quantity + self.PER_PAGE - 1) // self.PER_PAGE
        return render(
            request, "credit/codes/labels.html",
            {"batch": batch, "labels": labels, "page": page, "pages": range(1, pages + 1), "multi": pages > 1},
        )


class BatchStatusView(ActorMixin, View):
    def post(self, request, pk):
        batch = codes.batch_access(actor=self.actor, pk=pk)
        action = request.POST.get("action")
        status = {"suspend": CodeStatus.SUSPENDED, "revoke": CodeStatus.REVOKED}.get(action)
        try:
            if status is None:
                raise ValidationError(_("操作不正确，请重新选择。"))
            n = codes.code_batch_set_status(actor=self.actor, batch=batch, status=status, reason=request.POST.get("reason", ""))
            messages.success(request, _("已更新 %(n)s 个信用码的状态。") % {"n": n})
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        return redirect("credit:code-product", pk=batch.product_id)
