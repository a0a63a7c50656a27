"""Product quality credit codes: issue, suspend, revoke, QR images and label sheets
(services and selectors), and the public data behind ``/q/<code>``.

Who may act: an enterprise for its own products, a regulator for products of
enterprises in its jurisdiction (``changeable(Product, actor)``). Codes are issued
only for public products, since the code page is public.
"""

import base64
import io
import re
import secrets

import segno
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from qualityhub.core.audit import write_service
from qualityhub.core.scoping import access, changeable, visible
from qualityhub.credit.choices import PUBLIC_STATUSES, SAMPLING_KINDS, RecordKind
from qualityhub.credit.models import CodeBatch, CodeReport, CodeStatus, CreditCode, CreditRecord
from qualityhub.credit.standing import good_standing_tier
from qualityhub.registry.models import Certification, Product, ProductStandard

CODE_BYTES = 10  # 80 random bits, 16 base32 characters
CODE_RE = re.compile(r"^[A-Z2-7]{16}$")
BATCH_MAX = 5000
RECENT_SAMPLING = 10


def code_generate():
    """A fresh code: 80 bits from the OS's CSPRNG in RFC 4648 base32 (A–Z, 2–7: no
    case to confuse, and short enough for a small QR code)."""
    return base64.b32encode(secrets.token_bytes(CODE_BYTES)).decode("ascii")


def code_normalise(raw):
    """The canonical form of a code typed or scanned (case and spaces ignored), or
    None when it cannot be one of ours."""
    code = (raw or "").strip().upper().replace(" ", "").replace("-", "")
    return code if CODE_RE.match(code) else None


# --- selectors ------------------------------------------------------------------------


def code_product_access(*, actor, pk):
    """The product whose codes ``actor`` may manage, or 404."""
    return access(Product.objects.select_related("enterprise"), actor, pk, action="change")


def code_list(*, actor, product=None):
    qs = visible(CreditCode, actor).select_related("product", "batch")
    if product is not None:
        qs = qs.filter(product=product)
    return qs


def code_access(*, actor, pk, action="view"):
    return access(CreditCode.objects.select_related("product", "enterprise", "status_changed_org"), actor, pk, action=action)


def batch_access(*, actor, pk):
    return access(CodeBatch.objects.select_related("product", "enterprise"), actor, pk)


def batch_codes(*, batch, start, stop):
    """The codes of a batch (one the caller got through ``batch_access``), in issue
    order, from ``start`` to ``stop``: one page of its label sheet."""
    return list(batch.codes.order_by("id").values_list("code", flat=True)[start:stop])


def batch_list(*, actor, product):
    return visible(CodeBatch, actor).filter(product=product).order_by("-id")


def code_for_report(code):
    """The code a consumer may report a problem with (public page: no actor), or 404:
    an unknown or revoked code, or one of a product no longer public."""
    normal = code_normalise(code)
    obj = CreditCode.objects.select_related("product").filter(code=normal).first() if normal else None
    if obj is None or obj.status == CodeStatus.REVOKED or not obj.product.is_public:
        raise Http404
    return obj


def report_list(*, actor, product=None):
    qs = visible(CodeReport, actor).select_related("code")
    if product is not None:
        qs = qs.filter(code__product=product)
    return qs.order_by("-id")


# --- services -------------------------------------------------------------------------


def _check_issuable(actor, product):
    if not changeable(Product, actor).filter(pk=product.pk).exists():
        raise ValidationError(_("无权为该产品赋码。"))
    if not product.is_public:
        raise ValidationError({"product": _("产品未公开，不能赋予信用码：扫码页面是公开的。")})


def _user(actor):
    user = getattr(actor, "user", None)
    return user if getattr(user, "pk", None) else None


@write_service
def code_issue(*, actor, product):
    """Issue one code for ``product``."""
    _check_issuable(actor, product)
    return CreditCode.objects.create(
        code=code_generate(), enterprise_id=product.enterprise_id, product=product, issued_by=_user(actor)
    )


def code_batch_issue(*, actor, product, quantity, note=""):
    """Issue ``quantity`` codes in one batch: a few bulk inserts, whatever the size. A
    collision of 80-bit codes is all but impossible; should one happen the whole
    batch is drawn again."""
    if not isinstance(quantity, int) or quantity < 1 or quantity > BATCH_MAX:
        raise ValidationError({"quantity": _("数量须为 1 至 %(max)s 之间的整数。") % {"max": BATCH_MAX}})
    for _attempt in range(3):
        try:
            return _batch_issue(actor=actor, product=product, quantity=quantity, note=note)
        except IntegrityError:
            continue
    raise ValidationError(_("生成信用码失败，请重试。"))


@write_service
def _batch_issue(*, actor, product, quantity, note):
    _check_issuable(actor, product)
    user = _user(actor)
    batch = CodeBatch.objects.create(
        enterprise_id=product.enterprise_id, product=product, quantity=quantity, note=note, issued_by=user
    )
    codes = {code_generate() for _i in range(quantity)}
    while len(codes) < quantity:
        codes.add(code_generate())
    CreditCode.objects.bulk_create(
        [CreditCode(code=c, enterprise_id=product.enterprise_id, product=product, batch=batch, issued_by=user) for c in codes],
        batch_size=1000,
    )
    return batch


def _clean_reason(reason):
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写原因：扫码者将看到它。")})
    if len(reason) > 200:
        raise ValidationError({"reason": _("原因不能超过 200 个字。")})
    return reason


def _set_status(actor, code, status, reason):
    reason = _clean_reason(reason)
    code = access(CreditCode.objects.select_related("status_changed_org"), actor, code.pk, action="change")
    if code.status == CodeStatus.REVOKED:
        raise ValidationError(_("信用码已注销，不能再变更状态。"))
    code.status = status
    code.status_reason = reason
    code.status_changed_at = timezone.now()
    code.status_changed_by = _user(actor)
    code.status_changed_org = actor.organisation
    code.save(update_fields=["status", "status_reason", "status_changed_at", "status_changed_by", "status_changed_org", "updated_at"])
    return code


@write_service
def code_suspend(*, actor, code, reason):
    """Suspend a code (a label misprinted, a product on hold); the page warns scanners."""
    if code.status == CodeStatus.SUSPENDED:
        raise ValidationError(_("信用码已处于暂停状态。"))
    return _set_status(actor, code, CodeStatus.SUSPENDED, reason)


@write_service
def code_reinstate(*, actor, code, reason):
    """Reinstate a suspended code. A code a regulator suspended only a regulator (or a
    platform administrator) reinstates."""
    if code.status != CodeStatus.SUSPENDED:
        raise ValidationError(_("只有已暂停的信用码可以恢复。"))
    suspended_by = code.status_changed_org
    if suspended_by is not None and suspended_by.kind == "regulator" and not (actor.is_regulator or actor.is_platform_admin):
        raise ValidationError(_("该信用码由监管部门暂停，只能由监管部门恢复。"))
    return _set_status(actor, code, CodeStatus.ACTIVE, reason)


@write_service
def code_revoke(*, actor, code, reason):
    """Revoke a code for good (a label copied, a product withdrawn)."""
    return _set_status(actor, code, CodeStatus.REVOKED, reason)


@write_service
def code_batch_set_status(*, actor, batch, status, reason):
    """Suspend or revoke every still-changeable code of a batch in one UPDATE."""
    reason = _clean_reason(reason)
    if status not in (CodeStatus.SUSPENDED, CodeStatus.REVOKED):
        raise ValidationError({"status": _("请选择暂停或注销。")})
    batch = access(CodeBatch, actor, batch.pk, action="change")
    codes = changeable(CreditCode, actor).filter(batch=batch).exclude(status=CodeStatus.REVOKED)
    changed = list(codes.values_list("code", flat=True))
    now = timezone.now()
    codes.update(
        status=status, status_reason=reason, status_changed_at=now, status_changed_by=_user(actor),
        status_changed_org=actor.organisation, updated_at=now,
    )
    from qualityhub.credit import code_scans

    transaction.on_commit(lambda: code_scans.forget_codes(changed))
    return len(changed)


def code_report_create(*, code, category, description, contact=""):
    """A consumer's report from the code page (anonymous: no actor, no audit entry)."""
    return CodeReport.objects.create(
        code=code, enterprise_id=code.enterprise_id, category=category, description=description, contact=contact
    )


# --- QR images and label sheets -------------------------------------------------------


def qr(url):
    # Medium error correction survives a scuffed label; the border is the quiet zone
    # scanners need.
    return segno.make(url, error="m", micro=False)


def qr_svg(url, *, scale=4):
    out = io.BytesIO()
    qr(url).save(out, kind="svg", scale=scale, border=2, xmldecl=False, svgns=True)
    return out.getvalue()


def qr_png(url, *, scale=8):
    out = io.BytesIO()
    qr(url).save(out, kind="png", scale=scale, border=2)
    return out.getvalue()


def qr_svg_inline(url):
    """An <svg> element for embedding in a page (the label sheet)."""
    out = io.BytesIO()
    qr(url).save(out, kind="svg", scale=3, border=2, xmldecl=False, svgns=True, omitsize=True, svgclass="qr")
    return out.getvalue().decode("ascii")


# --- the public page's data -----------------------------------------------------------


STANDARD_KINDS = (
    (re.compile(r"^GB/T\b"), _l("推荐性国家标准")),
    (re.compile(r"^GB/Z\b"), _l("国家标准化指导性技术文件")),
    (re.compile(r"^GB\b"), _l("强制性国家标准")),
    (re.compile(r"^DB\d*(/T)?\b"), _l("地方标准")),
    (re.compile(r"^T/"), _l("团体标准")),
    (re.compile(r"^Q/"), _l("企业标准")),
    (re.compile(r"^[A-Z]{2}(/T)?\s"), _l("行业标准")),
)


def standard_kind(code):
    for pattern, label in STANDARD_KINDS:
        if pattern.match(code):
            return str(label)
    return _("其他标准")


def code_lookup(code):
    """What the hot path needs to know of a code (cached per code, as JSON): its
    product, status and scan statistics as last flushed; None when no such code
    exists. Whether the product is public is the page's business (product_public_data)."""
    row = (
        CreditCode.objects.filter(code=code)
        .values("product_id", "status", "status_reason", "status_changed_at", "scan_count", "first_scanned_at",
                "copy_flagged_at")
        .first()
    )
    if row is None:
        return None
    return {
        "product": row["product_id"],
        "status": row["status"],
        "reason": row["status_reason"],
        "changed": row["status_changed_at"].timestamp() if row["status_changed_at"] else None,
        "scans": row["scan_count"],
        "first": row["first_scanned_at"].timestamp() if row["first_scanned_at"] else None,
        "flagged": row["copy_flagged_at"] is not None,
    }


def product_public_data(product_id):
    """Everything the public page shows of a product and its maker, read through the
    public scope only: nothing private (risk class, internal notes, people, private
    products) is ever loaded. None when the product is not public."""
    today = timezone.localdate()
    product = (
        Product.objects.filter(Q(pk=product_id) & Product.scope.public)
        .select_related("enterprise", "enterprise__city", "enterprise__region")
        .prefetch_related(
            Prefetch("standards", queryset=ProductStandard.objects.order_by("code")),
            Prefetch(
                "certifications",
                queryset=Certification.objects.filter(
                    Q(valid_from__isnull=True) | Q(valid_from__lte=today),
                    Q(valid_until__isnull=True) | Q(valid_until__gte=today),
                ).order_by("kind", "number"),
            ),
        )
        .first()
    )
    if product is None:
        return None
    maker = product.enterprise
    try:
        honours = [h.name for h in maker.profile.honours.all()]
    except ObjectDoesNotExist:
        honours = []
    sampling = list(
        CreditRecord.objects.filter(subject=maker, kind__in=SAMPLING_KINDS, status__in=PUBLIC_STATUSES)
        .select_related("product")
        .only("kind", "fact_date", "source_department", "reference", "product__name", "product__model", "product__is_public")
        .order_by("-fact_date", "-id")[:RECENT_SAMPLING]
    )
    return {
        "maker": {"name": maker.name, "uscc": maker.uscc, "city": maker.city.name, "district": maker.region.name},
        "product": {"name": product.name, "brand": product.brand, "model": product.model, "category": product.category},
        "standards": [{"code": s.code, "kind": standard_kind(s.code)} for s in product.standards.all()],
        "certifications": [
            {"kind": c.get_kind_display(), "number": c.number, "issuer": c.issuer, "valid_until": c.valid_until}
            for c in product.certifications.all()
        ],
        "sampling": [
            {
                "kind": r.get_kind_display(),
                "passed": r.kind == RecordKind.SAMPLING_PASS,
                "date": r.fact_date,
                "department": r.source_department,
                "reference": r.reference,
                "product": (
                    f"{r.product.name} {r.product.model}" if r.product_id and r.product.is_public else ""
                ),
                "this_product": r.product_id == product.pk,
            }
            for r in sampling
        ],
        "honours": honours,
        "tier": good_standing_tier(maker),
    }
