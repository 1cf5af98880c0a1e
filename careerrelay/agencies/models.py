from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from careerrelay.agencies.licence import validate_licence_number
from careerrelay.candidates.choices import JobCategory, Prefecture
from careerrelay.organisations.models import Organisation


class AgencyProfile(models.Model):
    """What makes an Organisation of kind agency a licensed partner: until an operator approves
    it, its members and keys see no candidate at all."""

    class State(models.TextChoices):
        PENDING = "pending", _("承認待ち")
        APPROVED = "approved", _("承認済み")
        SUSPENDED = "suspended", _("停止中")

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="agency_profile", verbose_name=_("組織")
    )
    licence_number = models.CharField(
        _("有料職業紹介事業 許可番号"), max_length=16, unique=True, validators=[validate_licence_number]
    )
    address = models.CharField(_("所在地"), max_length=300)
    representative = models.CharField(_("代表者"), max_length=100)
    state = models.CharField(_("承認状況"), max_length=16, choices=State.choices, default=State.PENDING)
    approved_at = models.DateTimeField(_("承認日時"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("承認者"),
    )
    created_at = models.DateTimeField(_("申請日時"), default=timezone.now)

    class Meta:
        verbose_name = _("人材紹介会社")
        verbose_name_plural = _("人材紹介会社")

    def __str__(self):
        return f"{self.organisation.name} ({self.licence_number})"

    @property
    def is_approved(self):
        return self.state == self.State.APPROVED


class JobOrder(models.Model):
    """An opening at one of the agency's client companies (求人票). Agency workspace data:
    visible to that agency only."""

    class Status(models.TextChoices):
        OPEN = "open", _("募集中")
        CLOSED = "closed", _("募集終了")

    class EmploymentType(models.TextChoices):
        FULL_TIME = "full_time", _("正社員")
        CONTRACT = "contract", _("契約社員")
        PART_TIME = "part_time", _("パート・アルバイト")
        OTHER = "other", _("その他")

    agency = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="job_orders")
    client_company = models.CharField(_("求人企業名"), max_length=200)
    title = models.CharField(_("職種・ポジション"), max_length=200)
    job_category = models.CharField(_("職種区分"), max_length=32, choices=JobCategory.choices, blank=True)
    requirements = models.TextField(_("応募条件・仕事内容"), max_length=4000, blank=True)
    prefecture = models.CharField(_("勤務地"), max_length=2, choices=Prefecture.choices, blank=True)
    salary_min = models.PositiveIntegerField(_("年収(下限・万円)"), null=True, blank=True)
    salary_max = models.PositiveIntegerField(_("年収(上限・万円)"), null=True, blank=True)
    required_skills = models.CharField(_("必須スキル"), max_length=500, blank=True)
    preferred_skills = models.CharField(_("歓迎スキル"), max_length=500, blank=True)
    employment_type = models.CharField(
        _("雇用形態"), max_length=16, choices=EmploymentType.choices, default=EmploymentType.FULL_TIME
    )
    status = models.CharField(_("状況"), max_length=16, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("登録日時"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)
    closed_at = models.DateTimeField(_("募集終了日時"), null=True, blank=True)

    class Meta:
        ordering = ["status", "-created_at", "-id"]
        verbose_name = _("求人票")
        verbose_name_plural = _("求人票")
        indexes = [models.Index(fields=["agency", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(salary_min__isnull=True)
                | Q(salary_max__isnull=True)
                | Q(salary_min__lte=models.F("salary_max")),
                name="job_order_salary_range",
            )
        ]

    def __str__(self):
        return f"{self.client_company} / {self.title}"

    @property
    def is_open(self):
        return self.status == self.Status.OPEN
