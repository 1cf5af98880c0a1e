from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from careerrelay.common.contrast import HEX_COLOUR_RE
from careerrelay.common.single_use import SingleUseToken, TokenState
from careerrelay.common.text import validate_one_line


def validate_brand_colour(value: str) -> None:
    if value and not HEX_COLOUR_RE.fullmatch(value):
        raise ValidationError(_("色は #1A2B3C の形式(#と16進数6桁)で入力してください。"), code="colour")


class Organisation(models.Model):
    """An employer or a partner recruiting agency: the tenant that owns workspace data."""

    class Kind(models.TextChoices):
        EMPLOYER = "employer", _("採用企業")
        AGENCY = "agency", _("人材紹介会社")

    class Status(models.TextChoices):
        PENDING = "pending", _("審査中")
        APPROVED = "approved", _("承認済み")
        REJECTED = "rejected", _("却下")

    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.EMPLOYER)
    # Also the display name in the From header of the company's mail: one line.
    name = models.CharField(_("会社名"), max_length=200, validators=[validate_one_line])
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    # --- Mail trust (employers): nothing leaves in a company's name until an operator approves it.
    status = models.CharField(
        _("審査状況"), max_length=16, choices=Status.choices, default=Status.PENDING, db_default=Status.PENDING
    )
    # The From display name: the name as the operator approved it, which the company cannot change.
    approved_name = models.CharField(
        _("承認済みの会社名"), max_length=200, blank=True, default="", db_default="", validators=[validate_one_line]
    )
    approved_at = models.DateTimeField(_("承認日時"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The domain of the signing-up admin's address unless it is a public mailbox; on approval
    # it becomes a verified domain (LinkDomain).
    work_domain = models.CharField(_("勤務先ドメイン"), max_length=253, blank=True, default="", db_default="")
    signup_ip = models.GenericIPAddressField(_("登録元IPアドレス"), null=True, blank=True)
    # Reply-To of the company's mail: always the verified address of one of its members.
    reply_to_email = models.EmailField(_("返信先アドレス"), blank=True, default="", db_default="")
    # --- The employer's brand (organisations/brand.py), shown on its relay pages and in its mail.
    # The logo's public URL is /brand/<brand_key>/<logo_file>: the key is random (no listing of
    # companies by number), the file name is new on every upload (a version, so it is cached for good).
    brand_key = models.CharField(max_length=32, unique=True, null=True, blank=True, editable=False)
    logo_file = models.CharField(_("ロゴ"), max_length=64, blank=True, default="", db_default="", editable=False)
    logo_width = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    logo_height = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    brand_colour = models.CharField(
        _("ブランドカラー"), max_length=7, blank=True, default="", db_default="", validators=[validate_brand_colour]
    )
    # What a free referral is worth to this employer (the analytics page's 「紹介手数料 約○○万円 相当」):
    # the agency fee it would otherwise pay, a rate of the hire's annual salary. Set by its admins.
    agency_fee_percent = models.PositiveSmallIntegerField(
        _("人材紹介の手数料率(%)"), default=35, db_default=35, validators=[MaxValueValidator(100)]
    )
    typical_annual_salary = models.PositiveIntegerField(
        _("想定年収(円)"), default=5_000_000, db_default=5_000_000, validators=[MaxValueValidator(100_000_000)]
    )

    class Meta:
        verbose_name = _("組織")
        verbose_name_plural = _("組織")

    def __str__(self):
        return self.name

    @property
    def is_approved(self):
        return self.status == self.Status.APPROVED

    @property
    def may_send(self):
        return self.is_active and self.is_approved

    @property
    def sender_name(self):
        return self.approved_name or self.name


class LinkDomain(models.Model):
    """A domain employer mail may link to and load images from (besides CareerRelay itself):
    with an organisation, one of that company's verified domains; without, the operator's
    platform-wide allow-list. A domain covers its subdomains."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="link_domains",
        verbose_name=_("組織"),
        help_text=_("空欄にすると、すべての企業に許可するドメインになります。"),
    )
    domain = models.CharField(_("ドメイン"), max_length=253)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("リンク許可ドメイン")
        verbose_name_plural = _("リンク許可ドメイン")
        ordering = ["domain"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "domain"], name="one_link_domain_per_org"),
            models.UniqueConstraint(
                fields=["domain"], condition=Q(organisation__isnull=True), name="one_platform_link_domain"
            ),
        ]

    def __str__(self):
        return self.domain

    def clean(self):
        # upward, and circular: rejections sits above organisations and its links module imports
        # these models at import time
        from careerrelay.rejections.links import clean_domain

        self.domain = clean_domain(self.domain)


class Membership(models.Model):
    class Role(models.TextChoices):
        ADMIN = "admin", _("管理者")
        RECRUITER = "recruiter", _("採用担当者")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("権限"), max_length=16, choices=Role.choices, default=Role.RECRUITER)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "user"], name="one_membership_per_org")]

    @property
    def is_admin(self):
        return self.role == self.Role.ADMIN


class Invitation(SingleUseToken):
    """A link to join a company's team; used_at is when it was accepted."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("メールアドレス"))
    role = models.CharField(
        _("権限"), max_length=16, choices=Membership.Role.choices, default=Membership.Role.RECRUITER
    )
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "email"],
                condition=Q(used_at__isnull=True, revoked_at__isnull=True),
                name="one_open_invitation_per_email",
            )
        ]

    def state(self, now=None) -> TokenState:
        # Accepted before revoked: a revocation never rewrites an accepted invitation.
        if self.used_at is None and self.revoked_at is not None:
            return TokenState.REVOKED
        return super().state(now)

    @property
    def is_open(self):
        return self.state() is TokenState.VALID


class ApiKey(models.Model):
    """Shown once at creation; only its hash is kept."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(_("名前"), max_length=100)
    prefix = models.CharField(max_length=16)
    key_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    @property
    def is_active(self):
        return self.revoked_at is None
