"""Users, organisations, memberships and organisation API tokens."""

import hashlib

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qualityhub.accounts.choices import MembershipRole, OrganisationKind, OrganisationStatus
from qualityhub.core.models import AuditedModel, TimeStampedModel
from qualityhub.core.scoping import ScopeRule
from qualityhub.core.validators import validate_mobile, validate_uscc


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Signs in with a mobile number or an email address.

    After ``LOGIN_FAILURE_LIMIT`` wrong passwords the account is locked for
    ``LOGIN_LOCKOUT_MINUTES`` (guessing protection).
    """

    email = models.EmailField(_("电子邮箱"), unique=True)
    mobile = models.CharField(_("手机号码"), max_length=11, unique=True, null=True, blank=True, validators=[validate_mobile])
    name = models.CharField(_("姓名"), max_length=60)
    is_active = models.BooleanField(_("启用"), default=True)
    is_staff = models.BooleanField(_("可登录管理后台"), default=False)
    date_joined = models.DateTimeField(_("注册时间"), default=timezone.now)
    failed_logins = models.PositiveSmallIntegerField(default=0)
    last_failed_login = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self):
        return self.name or self.email

    def get_full_name(self):
        return self.name

    def get_short_name(self):
        return self.name

    @property
    def is_locked(self):
        return self.locked_until is not None and self.locked_until > timezone.now()


class Organisation(AuditedModel):
    """A legal entity on the platform, identified by its Unified Social Credit Code.

    ``city`` is derived from ``region`` (a district's prefecture-level city) so that a
    city regulator's jurisdiction is one indexed equality, not a walk up the tree.
    """

    name = models.CharField(_("名称"), max_length=200)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True, validators=[validate_uscc])
    kind = models.CharField(_("机构类型"), max_length=20, choices=OrganisationKind.choices, db_index=True)
    region = models.ForeignKey("registry.Region", verbose_name=_("所在地区"), on_delete=models.PROTECT, related_name="+")
    city = models.ForeignKey("registry.Region", verbose_name=_("所在地市"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("登记状态"), max_length=15, choices=OrganisationStatus.choices, default=OrganisationStatus.ACTIVE)
    jurisdiction = models.ForeignKey(
        "registry.Region",
        verbose_name=_("管辖范围"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("仅监管部门：全省、某地市或某区县。"),
    )
    # Characters of the name separated by spaces: the phrase index behind name search
    # (see qualityhub.core.search). Kept in step by the services.
    search_text = models.TextField(blank=True, editable=False)

    audit_exclude = ("created_at", "updated_at", "search_text")
    scope = ScopeRule(organisation_path="")

    class Meta:
        verbose_name = _("机构")
        verbose_name_plural = _("机构")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["kind", "city", "id"], name="org_kind_city_idx"),
            models.Index(fields=["kind", "region", "id"], name="org_kind_region_idx"),
            models.Index(fields=["kind", "name"], name="org_kind_name_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=OrganisationKind.REGULATOR) | Q(jurisdiction__isnull=True),
                name="org_only_regulators_have_jurisdiction",
            )
        ]

    def __str__(self):
        return self.name


class Membership(TimeStampedModel):
    """A user belongs to an organisation with a role; a user may belong to several."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("角色"), max_length=10, choices=MembershipRole.choices, default=MembershipRole.STAFF)

    scope = ScopeRule(organisation_path="organisation", regulator_can_view=False, regulator_can_change=False)

    class Meta:
        verbose_name = _("成员")
        verbose_name_plural = _("成员")
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique")]

    def __str__(self):
        return f"{self.user} @ {self.organisation}"


class ApiToken(TimeStampedModel):
    """An organisation's API credential. Only a SHA-256 hash is stored; the secret is
    shown once when created. A token acts for its organisation with its role."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="api_tokens")
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    name = models.CharField(_("名称"), max_length=100)
    role = models.CharField(_("权限"), max_length=10, choices=MembershipRole.choices, default=MembershipRole.STAFF)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(_("过期时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    scope = ScopeRule(organisation_path="organisation", regulator_can_view=False, regulator_can_change=False)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key):
        return hashlib.sha256(key.encode()).hexdigest()

    @property
    def is_usable(self):
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
