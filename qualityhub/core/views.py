"""Pages every app shares: dashboard, health check, audit trail, imports."""

import logging
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin
from django_tables2.paginators import LazyPaginator

from qualityhub.core import audit
from qualityhub.core.exports import table_sheet, xlsx_response
from qualityhub.core.imports import get_spec, specs
from qualityhub.core.imports.services import (
    ImportRejected,
    import_error_sheet,
    import_job_can_resume,
    import_job_create,
    import_job_resume,
    import_template_sheets,
)
from qualityhub.core.models import ImportJob, ImportStatus, WorkerHeartbeat
from qualityhub.core.scoping import access, actor_from_request

EXPORT_MAX_ROWS = 50_000

logger = logging.getLogger(__name__)


class ActorMixin(LoginRequiredMixin):
    @property
    def actor(self):
        return actor_from_request(self.request)


class ListPageMixin(SingleTableMixin):
    """A filtered, sorted, paginated list whose table also exports to .xlsx.

    With ``?export=xlsx`` the same filtered queryset and table columns are written to
    a spreadsheet (capped at EXPORT_MAX_ROWS). Under htmx only the results partial is
    rendered.
    """

    paginate_by = 25
    export_name = "export"
    partial_template_name = "core/partials/list_results.html"
    template_name = "core/list_page.html"
    page_title = ""
    # Counting every matching row of a province-wide list costs a scan; the lazy
    # paginator shows next/previous instead of a total for unfiltered huge lists.
    paginator_class = LazyPaginator

    def get_table_pagination(self, table):
        return {"per_page": self.paginate_by, "paginator_class": self.paginator_class}

    def get_paginate_by(self, queryset):
        # The table paginates (above). Left to ListView, MultipleObjectMixin would
        # paginate the same queryset a second time for an unused ``page_obj``: the
        # page query and its prefetches ran twice per request (bench/registry_bench.py).
        return None

    def get_template_names(self):
        if self.request.htmx and not self.request.htmx.boosted:
            return [self.partial_template_name]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page_title"] = self.page_title
        query = self.request.GET.copy()
        query.pop("page", None)
        query["export"] = "xlsx"
        context["export_query"] = query.urlencode()
        return context

    def render_to_response(self, context, **kwargs):
        if self.request.GET.get("export") == "xlsx":
            table = self.get_table(**self.get_table_kwargs())
            table.data.data = table.data.data[:EXPORT_MAX_ROWS]
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
            return xlsx_response(f"{self.export_name}-{stamp}.xlsx", [table_sheet(str(self.page_title), table)])
        return super().render_to_response(context, **kwargs)


class ListPageView(ActorMixin, ListPageMixin, FilterView):
    """A list page for signed-in users."""


class PublicListPageView(ListPageMixin, FilterView):
    """A list page anyone may open (the good-standing list); the queryset must be
    scoped for the anonymous actor too."""

    @property
    def actor(self):
        return actor_from_request(self.request)


class DashboardView(ActorMixin, TemplateView):
    template_name = "core/dashboard.html"

    def get_context_data(self, **kwargs):
        from qualityhub.core.dashboard import dashboard_for

        context = super().get_context_data(**kwargs)
        context.update(dashboard_for(self.actor))
        return context


def healthz(request):
    """Database and worker status, for load balancers and monitoring."""
    started = time.monotonic()
    status = {"status": "ok", "database": {"status": "ok", "vendor": connection.vendor}}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        status["database"]["latency_ms"] = round((time.monotonic() - started) * 1000, 2)
    except Exception as exc:
        # /healthz is public: a driver's message can name the host, port, user and
        # database, so the response gives only the error's class; the log has the rest.
        logger.exception("Health check: database unreachable")
        status["status"] = "error"
        status["database"] = {"status": "error", "vendor": connection.vendor, "error": type(exc).__name__}
        return JsonResponse(status, status=503)
    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.now() - timezone.timedelta(seconds=60)
    alive = WorkerHeartbeat.objects.filter(seen_at__gte=cutoff).count()
    pending = DBTaskResult.objects.ready().count()
    oldest = DBTaskResult.objects.ready().order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    worker = {"status": "ok" if alive else "down", "alive": alive, "pending_tasks": pending}
    if oldest:
        worker["oldest_pending_seconds"] = int((timezone.now() - oldest).total_seconds())
    status["worker"] = worker
    if not alive:
        status["status"] = "degraded"
    return JsonResponse(status, status=200)


class AuditLogView(ActorMixin, TemplateView):
    """The change history of one record, for regulators (and platform admins) who may
    see the record itself."""

    template_name = "core/audit_log.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        actor = self.actor
        if not (actor.is_regulator or actor.is_platform_admin):
            raise Http404
        app_label, _dot, model_name = kwargs["model"].partition(".")
        try:
            content_type = ContentType.objects.get_by_natural_key(app_label, model_name)
        except ContentType.DoesNotExist:
            raise Http404
        model = content_type.model_class()
        if model is None or not hasattr(model, "scope"):
            raise Http404
        obj = access(model, actor, kwargs["pk"])
        entries = audit.entries_for(obj)[:200]
        context.update(object=obj, entries=entries, model_name=model._meta.verbose_name)
        return context


class ImportListView(ActorMixin, TemplateView):
    """The actor's import history; unfinished jobs can be opened to watch them or
    resumed if their worker stopped."""

    template_name = "core/import_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        actor = self.actor
        jobs = ImportJob.objects.all()
        if not actor.is_platform_admin:
            # Without an organisation there is no history (not the jobs whose
            # organisation is empty, which are the platform admins').
            jobs = jobs.filter(organisation=actor.organisation) if actor.organisation else jobs.none()
        context["jobs"] = jobs.select_related("user")[:100]
        context["specs"] = [s for s in specs().values() if s.allowed(actor)]
        return context


def _access_job(actor, pk):
    jobs = ImportJob.objects.select_related("user", "organisation")
    if not actor.is_platform_admin:
        if actor.organisation is None:
            raise Http404
        jobs = jobs.filter(organisation=actor.organisation)
    try:
        return jobs.get(pk=pk)
    except ImportJob.DoesNotExist:
        raise Http404


def _spec_or_404(actor, key):
    spec = get_spec(key)
    if spec is None or not spec.allowed(actor):
        raise Http404
    return spec


class ImportCreateView(ActorMixin, View):
    template_name = "core/import_new.html"

    def get(self, request, spec):
        return render(request, self.template_name, {"spec": _spec_or_404(self.actor, spec)})

    def post(self, request, spec):
        spec_obj = _spec_or_404(self.actor, spec)
        upload = request.FILES.get("file")
        error = None
        if upload is None:
            error = _("请选择要上传的文件。")
        else:
            try:
                job = import_job_create(actor=self.actor, spec_key=spec_obj.key, uploaded_file=upload)
                return redirect("core:import-detail", pk=job.pk)
            except ImportRejected as exc:
                error = str(exc)
        return render(request, self.template_name, {"spec": spec_obj, "error": error}, status=400)


class ImportDetailView(ActorMixin, View):
    template_name = "core/import_detail.html"
    partial_template_name = "core/partials/import_progress.html"

    def get(self, request, pk):
        job = _access_job(self.actor, pk)
        context = {"job": job, "spec": get_spec(job.spec), "errors": job.errors[:500]}
        context["can_resume"] = import_job_can_resume(job)
        template = self.partial_template_name if request.htmx else self.template_name
        return render(request, template, context)


class ImportResumeView(ActorMixin, View):
    def post(self, request, pk):
        job = _access_job(self.actor, pk)
        if import_job_can_resume(job):
            import_job_resume(actor=self.actor, job=job)
            messages.info(request, _("已重新排队，处理完成后可在此查看结果。"))
        return redirect("core:import-detail", pk=job.pk)


class ImportTemplateView(ActorMixin, View):
    def get(self, request, spec):
        spec_obj = _spec_or_404(self.actor, spec)
        return xlsx_response(f"{spec_obj.title}导入模板.xlsx", import_template_sheets(spec_obj))


class ImportErrorsView(ActorMixin, View):
    def get(self, request, pk):
        job = _access_job(self.actor, pk)
        return xlsx_response(f"导入错误-{job.pk}.xlsx", [import_error_sheet(job)])


def set_active_organisation(request):
    """Switch which of the user's organisations they act for."""
    from qualityhub.accounts.models import Membership
    from qualityhub.core.scoping import ACTIVE_ORGANISATION_SESSION_KEY

    if request.method != "POST" or not request.user.is_authenticated:
        raise Http404
    try:
        organisation_id = int(request.POST.get("organisation", ""))
    except ValueError:
        raise Http404
    if not Membership.objects.filter(user=request.user, organisation_id=organisation_id).exists():
        raise Http404
    request.session[ACTIVE_ORGANISATION_SESSION_KEY] = organisation_id
    return HttpResponseRedirect(reverse("core:dashboard"))


class NotificationListView(ActorMixin, View):
    """The organisation's inbox, newest first, 50 a page; opening a page marks what it
    shows as read."""

    template_name = "core/notification_list.html"

    def get(self, request):
        from django.core.paginator import Paginator

        from qualityhub.core.notifications import mark_read, notifications_for

        page = Paginator(notifications_for(self.actor), 50).get_page(request.GET.get("page"))
        items = list(page.object_list)
        unread = [n.pk for n in items if n.read_at is None]
        if unread:
            mark_read(actor=self.actor, ids=unread)
        return render(request, self.template_name, {"page": page, "items": items, "unread": set(unread)})
