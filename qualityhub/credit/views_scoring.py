"""Risk-class pages: the regulators' credit dashboard, scores and their "why", the
scoring model versions, full rescoring runs and the inspection quotas.

Classes are for supervision: every page here is for regulators over the subject (and
platform administrators); a subject may open its own score page; anyone else gets
404, as if the page did not exist."""

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views import View

from qualityhub.core.dashboard import Chart
from qualityhub.core.views import ActorMixin, ListPageView
from qualityhub.credit import selectors as record_selectors
from qualityhub.credit import selectors_scoring as selectors
from qualityhub.credit import services_scoring as services
from qualityhub.credit.models import RiskClass, ScoringModel, ScoringRun
from qualityhub.credit.scoring import explain, inspection_quotas, scoring_run_start
from qualityhub.credit.scoring_listeners import can_manage_scoring, can_see_scores
from qualityhub.credit.tables_scoring import ScoreFilter, ScoreTable

CLASS_COLOURS = {"A": "#2fb344", "B": "#206bc4", "C": "#f59f00", "D": "#d63939"}


def _require_regulator(actor):
    if not can_see_scores(actor):
        raise Http404


def _require_manager(actor):
    if not can_manage_scoring(actor):
        raise Http404


def _stacked_chart(title, rows, dom_id):
    labels = [label for label, _counts in rows]
    series = [
        {"type": "bar", "stack": "class", "name": str(RiskClass(c).label), "itemStyle": {"color": CLASS_COLOURS[c]},
         "data": [counts.get(c, 0) for _label, counts in rows]}
        for c in RiskClass.values
    ]
    return Chart(
        title,
        {
            "tooltip": {"trigger": "axis"},
            "legend": {"top": 0},
            "grid": {"left": 56, "right": 16, "top": 36, "bottom": 88},
            "xAxis": {"type": "category", "data": labels, "axisLabel": {"rotate": 45}},
            "yAxis": {"type": "value"},
            "series": series,
        },
        dom_id=dom_id,
    )


class CreditDashboardView(ActorMixin, View):
    def get(self, request):
        actor = self.actor
        _require_regulator(actor)
        counts = selectors.class_counts(actor)
        charts = [
            _stacked_chart(_("各地市风险分类分布"), selectors.distribution_by_city(actor), "chart-class-city"),
            _stacked_chart(_("各行业风险分类分布"), selectors.distribution_by_industry(actor), "chart-class-industry"),
        ]
        can_manage = can_manage_scoring(actor)
        context = {
            "class_counts": [(c, RiskClass(c).label, counts.get(c, 0)) for c in RiskClass.values],
            "total": sum(counts.values()),
            "charts": charts,
            "changes": selectors.class_changes(actor=actor, limit=15),
            "pending": record_selectors.review_counts(actor=actor),
            "can_manage": can_manage,
            "last_run": selectors.scoring_runs(limit=1).first() if can_manage else None,
        }
        return render(request, "credit/scoring/dashboard.html", context)


class ScoreListView(ListPageView):
    table_class = ScoreTable
    filterset_class = ScoreFilter
    page_title = _l("信用风险分类")
    export_name = "risk-classes"

    def get_queryset(self):
        _require_regulator(self.actor)
        return selectors.score_list(actor=self.actor).order_by("-risk_class", "-score", "subject_id")


class ScoreDetailView(ActorMixin, View):
    """One subject's score and why: every contribution under the stored model version."""

    def get(self, request, subject_id):
        actor = self.actor
        score = selectors.score_get(actor=actor, subject_id=subject_id)
        explanation = explain(score.subject)
        is_regulator = can_see_scores(actor)
        return render(
            request,
            "credit/scoring/score_detail.html",
            {
                "score": score,
                "subject": score.subject,
                "why": explanation,
                "groups": explanation.groups,
                "is_regulator": is_regulator,
                "changes": selectors.class_changes(actor=actor, subject_id=score.subject_id, limit=20),
            },
        )


class ScoringModelView(ActorMixin, View):
    template_name = "credit/scoring/models.html"

    def _context(self, config_text=None, note="", errors=None):
        models = list(selectors.scoring_models()[:50])
        active = next((m for m in models if m.is_active), None)
        source = None
        wanted = self.request.GET.get("from")
        if wanted and wanted.isdigit():
            source = next((m for m in models if m.version == int(wanted)), None)
        source = source or active
        if config_text is None and source is not None:
            config_text = json.dumps(source.config, ensure_ascii=False, indent=2)
        return {
            "models": models, "active": active, "source": source, "config_text": config_text or "",
            "note": note, "errors": errors or [], "runs": selectors.scoring_runs(),
        }

    def get(self, request):
        _require_manager(self.actor)
        return render(request, self.template_name, self._context())

    def post(self, request):
        actor = self.actor
        _require_manager(actor)
        text = request.POST.get("config", "")
        note = request.POST.get("note", "")
        try:
            config = json.loads(text)
        except ValueError as exc:
            errors = [_("模型配置不是有效的JSON（第%(l)s行第%(c)s列）。") % {"l": exc.lineno, "c": exc.colno}]
            return render(request, self.template_name, self._context(text, note, errors), status=400)
        try:
            model = services.scoring_model_create(actor=actor, config=config, note=note)
        except ValidationError as exc:
            return render(request, self.template_name, self._context(text, note, exc.messages), status=400)
        messages.success(request, _("已保存为第%(v)s版并启用。重新评分后，新的分类按此版本计算。") % {"v": model.version})
        return redirect("credit:scoring-models")


class ScoringModelActivateView(ActorMixin, View):
    def post(self, request, version):
        actor = self.actor
        _require_manager(actor)
        get_object_or_404(ScoringModel, version=version)
        try:
            services.scoring_model_activate(actor=actor, version=version)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("已启用第%(v)s版。") % {"v": version})
        return redirect("credit:scoring-models")


class ScoringRunStartView(ActorMixin, View):
    def post(self, request):
        actor = self.actor
        _require_manager(actor)
        run = scoring_run_start(actor=actor)
        return redirect("credit:scoring-run-detail", pk=run.pk)


class ScoringRunDetailView(ActorMixin, View):
    def get(self, request, pk):
        _require_manager(self.actor)
        run = get_object_or_404(ScoringRun.objects.select_related("started_by"), pk=pk)
        template = "credit/scoring/partials/run_progress.html" if request.htmx else "credit/scoring/run_detail.html"
        return render(request, template, {"run": run})


class InspectionQuotaView(ActorMixin, View):
    template_name = "credit/scoring/quotas.html"

    def _rows(self, data=None):
        quotas = inspection_quotas()
        rows = []
        for c in RiskClass.values:
            q = quotas.get(c)
            entry = (data or {}).get(c) or {
                "min_percent": q.min_percent if q else "", "max_percent": q.max_percent if q else "",
                "times_per_year": q.times_per_year if q else 1,
            }
            rows.append({"risk_class": c, "label": RiskClass(c).label, **entry})
        return rows

    def get(self, request):
        actor = self.actor
        _require_regulator(actor)
        return render(request, self.template_name, {"rows": self._rows(), "can_edit": can_manage_scoring(actor)})

    def post(self, request):
        actor = self.actor
        _require_manager(actor)
        data = {
            c: {f: request.POST.get(f"{c}-{f}", "") for f in ("min_percent", "max_percent", "times_per_year")}
            for c in RiskClass.values
        }
        try:
            services.inspection_quotas_save(actor=actor, data=data)
        except ValidationError as exc:
            return render(
                request, self.template_name, {"rows": self._rows(data), "can_edit": True, "errors": exc.messages}, status=400
            )
        messages.success(request, _("已保存分类抽查比例。"))
        return redirect("credit:inspection-quotas")
