"""Employer workspace data: an employer's own applicants.

CareerRelay holds these rows on the employer's behalf (委託). They are visible to that employer
alone, never shown to agencies and never used for the marketplace, so nothing outside the
employer portal and the employer's API key reads this module.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from careerrelay.organisations.models import Organisation


class Stage(models.TextChoices):
    DOCUMENT = "document", _("書類選考")
    FIRST_INTERVIEW = "first_interview", _("一次面接")
    SECOND_INTERVIEW = "second_interview", _("二次面接")
    FINAL_INTERVIEW = "final_interview", _("最終面接")
    OTHER = "other", _("その他")


class Applicant(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="applicants")
    family_name = models.CharField(_("姓"), max_length=100)
    given_name = models.CharField(_("名"), max_length=100, blank=True)
    family_name_kana = models.CharField(_("姓（フリガナ）"), max_length=100, blank=True)
    given_name_kana = models.CharField(_("名（フリガナ）"), max_length=100, blank=True)
    email = models.EmailField(_("メールアドレス"), max_length=254)
    phone = models.CharField(_("電話番号"), max_length=32, blank=True)
    # NFKC + lower case: the key that makes "the same email twice in a company" a duplicate.
    email_normalized = models.CharField(max_length=254, editable=False)
    job_title = models.CharField(_("応募職種"), max_length=200, blank=True)
    stage = models.CharField(_("選考段階"), max_length=32, choices=Stage.choices, default=Stage.OTHER)
    rejection_reason = models.TextField(_("不採用理由"), blank=True)
    rejected_on = models.DateField(_("不採用日"), null=True, blank=True)
    source = models.CharField(_("応募経路"), max_length=200, blank=True)
    notes = models.TextField(_("評価メモ"), blank=True)
    recontact_ok = models.BooleanField(_("再連絡の同意"), default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("応募者")
        verbose_name_plural = _("応募者")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "email_normalized"], name="one_applicant_per_email_per_org")
        ]
        indexes = [
            models.Index(fields=["organisation", "-created_at"], name="applicant_org_created"),
            models.Index(fields=["organisation", "rejected_on"], name="applicant_org_rejected_on"),
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.family_name, self.given_name) if part)

    @property
    def full_name_kana(self) -> str:
        return " ".join(part for part in (self.family_name_kana, self.given_name_kana) if part)


class ImportMapping(models.Model):
    """The column mapping an organisation used last time, offered again on the next import."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="applicant_import_mapping")
    # {"family_name": "姓", "email": "メールアドレス", ...}: our field -> the CSV header.
    columns = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)


class ImportUpload(models.Model):
    """An uploaded CSV kept between the steps of the import (mapping, preview, confirm).

    The decoded text lives here rather than in the session cookie; the row is deleted after the
    import and expired rows are swept after UPLOAD_TTL.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="applicant_uploads")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    filename = models.CharField(max_length=255, blank=True)
    encoding = models.CharField(max_length=32)
    delimiter = models.CharField(max_length=1, default=",")
    text = models.TextField()
    columns = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["created_at"], name="applicant_upload_created")]
