"""Credit pages: thin adapters over the forms, services and selectors."""

from django.views.generic import TemplateView

from qualityhub.core.views import ActorMixin


class RecordListView(ActorMixin, TemplateView):
    template_name = "credit/record_list.html"


class RecordDetailView(ActorMixin, TemplateView):
    template_name = "credit/record_detail.html"
