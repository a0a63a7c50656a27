"""Registry pages: thin adapters over the forms, services and selectors."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views import View

from qualityhub.core.scoping import access, can_change
from qualityhub.core.views import ActorMixin, ListPageView
from qualityhub.registry import selectors, services
from qualityhub.registry.countries import country_name
from qualityhub.registry.filters import EnterpriseFilter, ProductFilter
from qualityhub.registry.forms import CertificationForm, EnterpriseForm, ProductForm
from qualityhub.registry.models import Certification
from qualityhub.registry.tables import EnterpriseTable, ProductTable


class EnterpriseListView(ListPageView):
    table_class = EnterpriseTable
    filterset_class = EnterpriseFilter
    page_title = _l("企业")
    export_name = "enterprises"

    def get_queryset(self):
        return selectors.enterprise_list(actor=self.actor).order_by("-id")  # newest first unless sorted

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        actor = self.actor
        context["can_create"] = actor.is_regulator or actor.is_platform_admin
        context["create_url_name"] = "registry:enterprise-create"
        context["import_spec"] = "enterprises" if context["can_create"] else None
        return context


class EnterpriseDetailView(ActorMixin, View):
    def get(self, request, pk):
        enterprise = selectors.enterprise_get(actor=self.actor, pk=pk)
        products = selectors.product_list(actor=self.actor, enterprise=enterprise).order_by("-id")[:50]
        return render(
            request,
            "registry/enterprise_detail.html",
            {
                "enterprise": enterprise,
                "profile": getattr(enterprise, "profile", None),
                "honours": list(enterprise.profile.honours.all()) if hasattr(enterprise, "profile") else [],
                "products": products,
                "can_edit": can_change(self.actor, enterprise),
            },
        )


def _enterprise_initial(enterprise):
    profile = getattr(enterprise, "profile", None)
    return {
        "uscc": enterprise.uscc,
        "name": enterprise.name,
        "region": enterprise.region_id,
        "industry": profile.industry_id if profile else "",
        "size": profile.size if profile else "",
        "honours": [h.code for h in profile.honours.all()] if profile else [],
        "legal_representative": profile.legal_representative if profile else "",
        "established_on": profile.established_on if profile else None,
        "address": profile.address if profile else "",
        "status": enterprise.status,
    }


class EnterpriseCreateView(ActorMixin, View):
    template_name = "registry/enterprise_form.html"

    def get(self, request):
        return render(request, self.template_name, {"form": EnterpriseForm(actor=self.actor)})

    def post(self, request):
        form = EnterpriseForm(data=request.POST, actor=self.actor)
        if form.is_valid():
            enterprise, _outcome = services.enterprise_save(actor=self.actor, data=form.cleaned_data)
            messages.success(request, _("已登记企业“%(name)s”。") % {"name": enterprise.name})
            return redirect("registry:enterprise-detail", pk=enterprise.pk)
        return render(request, self.template_name, {"form": form}, status=400)


class EnterpriseUpdateView(ActorMixin, View):
    template_name = "registry/enterprise_form.html"

    def get(self, request, pk):
        enterprise = selectors.enterprise_get(actor=self.actor, pk=pk, action="change")
        form = EnterpriseForm(actor=self.actor, instance=enterprise, initial=_enterprise_initial(enterprise))
        return render(request, self.template_name, {"form": form, "enterprise": enterprise})

    def post(self, request, pk):
        enterprise = selectors.enterprise_get(actor=self.actor, pk=pk, action="change")
        form = EnterpriseForm(
            data=request.POST, actor=self.actor, instance=enterprise, initial=_enterprise_initial(enterprise)
        )
        if form.is_valid():
            services.enterprise_save(actor=self.actor, data=form.cleaned_data, instance=enterprise)
            messages.success(request, _("已保存。"))
            return redirect("registry:enterprise-detail", pk=enterprise.pk)
        return render(request, self.template_name, {"form": form, "enterprise": enterprise}, status=400)


class ProductListView(ListPageView):
    table_class = ProductTable
    filterset_class = ProductFilter
    page_title = _l("产品")
    export_name = "products"

    def get_queryset(self):
        return selectors.product_list(actor=self.actor).order_by("-id")  # newest first unless sorted

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        actor = self.actor
        context["can_create"] = actor.is_enterprise or actor.is_regulator or actor.is_platform_admin
        context["create_url_name"] = "registry:product-create"
        context["import_spec"] = "products" if context["can_create"] else None
        return context


class ProductDetailView(ActorMixin, View):
    def get(self, request, pk):
        product = selectors.product_get(actor=self.actor, pk=pk)
        can_edit = can_change(self.actor, product)
        return render(
            request,
            "registry/product_detail.html",
            {
                "product": product,
                "markets": [(c, country_name(c)) for c in product.export_markets],
                "can_edit": can_edit,
                "certification_form": CertificationForm(product=product) if can_edit else None,
            },
        )


def _product_initial(product):
    return {
        "enterprise_uscc": product.enterprise.uscc,
        "name": product.name,
        "brand": product.brand,
        "model": product.model,
        "category": product.category,
        "hs_code": product.hs_code,
        "standards": [s.code for s in product.standards.all()],
        "export_markets": product.export_markets,
        "is_public": product.is_public,
    }


class ProductCreateView(ActorMixin, View):
    template_name = "registry/product_form.html"

    def get(self, request):
        initial = {"enterprise_uscc": self.actor.organisation.uscc} if self.actor.is_enterprise else {}
        return render(request, self.template_name, {"form": ProductForm(actor=self.actor, initial=initial)})

    def post(self, request):
        form = ProductForm(data=request.POST, actor=self.actor)
        if form.is_valid():
            product, _outcome = services.product_save(actor=self.actor, data=form.cleaned_data)
            messages.success(request, _("已登记产品“%(name)s”。") % {"name": product.name})
            return redirect("registry:product-detail", pk=product.pk)
        return render(request, self.template_name, {"form": form}, status=400)


class ProductUpdateView(ActorMixin, View):
    template_name = "registry/product_form.html"

    def get(self, request, pk):
        product = selectors.product_get(actor=self.actor, pk=pk, action="change")
        form = ProductForm(actor=self.actor, instance=product, initial=_product_initial(product))
        return render(request, self.template_name, {"form": form, "product": product})

    def post(self, request, pk):
        product = selectors.product_get(actor=self.actor, pk=pk, action="change")
        form = ProductForm(data=request.POST, actor=self.actor, instance=product, initial=_product_initial(product))
        if form.is_valid():
            services.product_save(actor=self.actor, data=form.cleaned_data, instance=product)
            messages.success(request, _("已保存。"))
            return redirect("registry:product-detail", pk=product.pk)
        return render(request, self.template_name, {"form": form, "product": product}, status=400)


class ProductDeleteView(ActorMixin, View):
    def post(self, request, pk):
        product = selectors.product_get(actor=self.actor, pk=pk, action="change")
        services.product_delete(actor=self.actor, product=product)
        messages.success(request, _("已删除产品。"))
        return redirect("registry:product-list")


class CertificationCreateView(ActorMixin, View):
    def post(self, request, pk):
        product = selectors.product_get(actor=self.actor, pk=pk, action="change")
        form = CertificationForm(data=request.POST, product=product)
        if form.is_valid():
            services.certification_save(actor=self.actor, form=form)
            messages.success(request, _("已添加认证证书。"))
            return redirect("registry:product-detail", pk=product.pk)
        return render(
            request,
            "registry/product_detail.html",
            {
                "product": product,
                "markets": [(c, country_name(c)) for c in product.export_markets],
                "can_edit": True,
                "certification_form": form,
            },
            status=400,
        )


class CertificationDeleteView(ActorMixin, View):
    def post(self, request, pk):
        certification = access(Certification.objects.select_related("product"), self.actor, pk, action="change")
        product_id = certification.product_id
        services.certification_delete(actor=self.actor, certification=certification)
        messages.success(request, _("已删除认证证书。"))
        return redirect("registry:product-detail", pk=product_id)
