"""Credit archive pages: thin adapters over the forms, services and selectors."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views import View

from qualityhub.core.scoping import access
from qualityhub.core.views import ActorMixin, ListPageView, PublicListPageView
from qualityhub.credit import selectors, services, standing
from qualityhub.credit.choices import RecordChannel
from qualityhub.credit.filters import GoodStandingFilter, RecordFilter
from qualityhub.credit.forms import DecisionForm, ObjectionForm, ReasonForm, RecordEntryForm, RepairForm
from qualityhub.credit.models import Objection, RepairApplication
from qualityhub.credit.tables import GoodStandingTable, RecordTable


def _error_messages(exc):
    if hasattr(exc, "message_dict"):
        return [m for messages_ in exc.message_dict.values() for m in messages_]
    return list(getattr(exc, "messages", [str(exc)]))


def _require_regulator(actor):
    if not (actor.is_regulator or actor.is_platform_admin):
        raise Http404


class RecordListView(ListPageView):
    table_class = RecordTable
    filterset_class = RecordFilter
    page_title = _l("信用记录")
    export_name = "credit-records"

    def get_queryset(self):
        return selectors.record_list(actor=self.actor).order_by("-id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_create"] = self.actor.is_regulator or self.actor.is_platform_admin
        context["create_url_name"] = "credit:record-create"
        context["import_spec"] = "credit-records" if context["can_create"] else None
        return context


class RecordCreateView(ActorMixin, View):
    template_name = "credit/record_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            _require_regulator(self.actor)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return render(request, self.template_name, {"form": RecordEntryForm(actor=self.actor)})

    def post(self, request):
        form = RecordEntryForm(data=request.POST, files=request.FILES, actor=self.actor)
        if form.is_valid():
            try:
                record, _outcome = services.record_submit(
                    actor=self.actor, data=form.cleaned_data, channel=RecordChannel.WEB,
                    files=form.cleaned_data.get("evidence") or (),
                )
            except ValidationError as exc:
                for message in _error_messages(exc):
                    form.add_error(None, message)
            else:
                if record.status == "pending":
                    messages.success(request, _("已录入，待另一名工作人员复核后生效。"))
                else:
                    messages.success(request, _("已录入并生效。"))
                return redirect("credit:record-detail", pk=record.pk)
        return render(request, self.template_name, {"form": form}, status=400)


class RecordDetailView(ActorMixin, View):
    template_name = "credit/record_detail.html"

    def context(self, record, **extra):
        actor = self.actor
        context = {
            "record": record,
            "sees_internal": selectors.sees_internal(actor),
            "can_review": services.can_review(actor, record),
            "can_withdraw": services.can_withdraw(actor, record),
            "can_object": services.can_object(actor, record),
            "can_repair": services.can_apply_for_repair(actor, record),
            "repair_available_on": services.repair_available_on(record) if record.is_negative else None,
            "can_decide": services.can_decide(actor, record),
            "reason_form": ReasonForm(),
            "objection_form": ObjectionForm(),
            "repair_form": RepairForm(),
            "decision_form": DecisionForm(),
        }
        context.update(extra)
        return context

    def get(self, request, pk):
        record = selectors.record_get(actor=self.actor, pk=pk)
        return render(request, self.template_name, self.context(record))


class RecordActionView(ActorMixin, View):
    """POST-only actions on one record; a refused action shows the record again with
    the reason."""

    def record(self, pk):
        return selectors.record_get(actor=self.actor, pk=pk)

    def fail(self, request, record, errors, **forms):
        for message in errors:
            messages.error(request, message)
        view = RecordDetailView()
        view.request = request
        return render(request, RecordDetailView.template_name, view.context(record, **forms), status=400)

    def run(self, request, record, action, **forms):
        try:
            action()
        except PermissionDenied as exc:
            return self.fail(request, record, [str(exc) or _("无权执行此操作。")], **forms)
        except ValidationError as exc:
            return self.fail(request, record, _error_messages(exc), **forms)
        return None


class RecordApproveView(RecordActionView):
    def post(self, request, pk):
        record = self.record(pk)
        _require_regulator(self.actor)
        failed = self.run(request, record, lambda: services.record_approve(actor=self.actor, record=record))
        if failed:
            return failed
        messages.success(request, _("已复核通过，记录生效并已通知信用主体。"))
        return redirect("credit:record-detail", pk=pk)


class RecordRejectView(RecordActionView):
    def post(self, request, pk):
        record = self.record(pk)
        _require_regulator(self.actor)
        form = ReasonForm(request.POST)
        if not form.is_valid():
            return self.fail(request, record, [_("请填写退回理由。")], reason_form=form)
        failed = self.run(request, record, lambda: services.record_reject(actor=self.actor, record=record, reason=form.cleaned_data["reason"]))
        if failed:
            return failed
        messages.success(request, _("已退回。"))
        return redirect("credit:record-detail", pk=pk)


class RecordWithdrawView(RecordActionView):
    def post(self, request, pk):
        record = self.record(pk)
        _require_regulator(self.actor)
        form = ReasonForm(request.POST)
        if not form.is_valid():
            return self.fail(request, record, [_("请填写撤销理由。")], reason_form=form)
        failed = self.run(request, record, lambda: services.record_withdraw(actor=self.actor, record=record, reason=form.cleaned_data["reason"]))
        if failed:
            return failed
        messages.success(request, _("已撤销该记录。"))
        return redirect("credit:record-detail", pk=pk)


class ObjectionLodgeView(RecordActionView):
    def post(self, request, pk):
        record = self.record(pk)
        form = ObjectionForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.fail(request, record, _error_messages(ValidationError(form.errors)), objection_form=form)
        failed = self.run(request, record, lambda: services.objection_lodge(
            actor=self.actor, record=record, reason=form.cleaned_data["reason"], files=form.cleaned_data.get("evidence") or ()),
            objection_form=form)
        if failed:
            return failed
        messages.success(request, _("异议已提交，监管部门处理后会通知您。"))
        return redirect("credit:record-detail", pk=pk)


class RepairApplyView(RecordActionView):
    def post(self, request, pk):
        record = self.record(pk)
        form = RepairForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.fail(request, record, _error_messages(ValidationError(form.errors)), repair_form=form)
        failed = self.run(request, record, lambda: services.repair_apply(
            actor=self.actor, record=record, statement=form.cleaned_data["statement"], files=form.cleaned_data["evidence"]),
            repair_form=form)
        if failed:
            return failed
        messages.success(request, _("信用修复申请已提交。"))
        return redirect("credit:record-detail", pk=pk)


class _DecideView(RecordActionView):
    model = None
    done_message = ""

    def post(self, request, pk):
        _require_regulator(self.actor)
        item = access(self.model, self.actor, pk)
        record = self.record(item.record_id)
        form = DecisionForm(request.POST)
        if not form.is_valid():
            return self.fail(request, record, _error_messages(ValidationError(form.errors)), decision_form=form)
        failed = self.run(request, record, lambda: self.decide(item, form.cleaned_data), decision_form=form)
        if failed:
            return failed
        messages.success(request, self.done_message)
        return redirect("credit:record-detail", pk=record.pk)


class ObjectionDecideView(_DecideView):
    model = Objection
    done_message = _l("已处理异议并通知信用主体。")

    def decide(self, item, data):
        services.objection_decide(actor=self.actor, objection=item, accept=data["accept"], reason=data["reason"])


class RepairDecideView(_DecideView):
    model = RepairApplication
    done_message = _l("已处理信用修复申请并通知信用主体。")

    def decide(self, item, data):
        services.repair_decide(actor=self.actor, application=item, accept=data["accept"], reason=data["reason"])


class EvidenceDownloadView(ActorMixin, View):
    def get(self, request, pk):
        evidence = selectors.evidence_get(actor=self.actor, pk=pk)
        response = FileResponse(evidence.file.open("rb"), content_type=evidence.content_type, as_attachment=True,
                                filename=evidence.original_name)
        response["X-Content-Type-Options"] = "nosniff"
        return response


class GoodStandingListView(PublicListPageView):
    """The public good-standing list, by city, industry and tier."""

    table_class = GoodStandingTable
    filterset_class = GoodStandingFilter
    page_title = _l("质量信用良好企业名单")
    export_name = "good-standing"

    def get_queryset(self):
        return standing.good_standing_list(actor=self.actor)


class JointDisciplineListView(ListPageView):
    """Serious violations in force, for regulators in their jurisdiction."""

    table_class = RecordTable
    filterset_class = RecordFilter
    page_title = _l("联合惩戒名单")
    export_name = "joint-discipline"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            _require_regulator(self.actor)
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return standing.joint_discipline_records(actor=self.actor)
