"""Employer workspace data: an employer's own applicants.

CareerRelay holds these rows on the employer's behalf (委託). They are visible to that employer
alone, never shown to agencies and never used for the marketplace, so nothing outside the
employer portal and the employer's API key reads this module.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from careerrelay.organisations.models import Organisation


class Stage(models.TextChoices):
    DOCUMENT = "document", _("書類選考")
    FIRST_INTERVIEW = "first_interview", _("一次面接")
    SECOND_INTERVIEW = "second_interview", _("二次面接")
    FINAL_INTERVIEW = "final_interview", _("最終面接")
    OTHER = "other", _("その他")


class RejectionReason(models.Model):
    """One entry of a company's own list of structured rejection reasons.

    Each company gets the defaults (DEFAULT_REASONS) the first time its list is read and may
    rename, add or retire entries. `kind` is what the re-approach suggestions and follow-up
    rules reason about, so a company's wording never changes their meaning.
    """

    class Kind(models.TextChoices):
        OTHER_CANDIDATE = "other_candidate", _("他の候補者を採用")
        SKILLS_GAP = "skills_gap", _("経験・スキル不足")
        CONDITIONS = "conditions", _("条件不一致")
        DECLINED = "declined", _("辞退")
        POSITION_CLOSED = "position_closed", _("募集終了・ポジション充足")
        CULTURE = "culture", _("社風・価値観の不一致")
        OTHER = "other", _("その他")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="rejection_reasons")
    label = models.CharField(_("不採用理由"), max_length=100)
    kind = models.CharField(_("分類"), max_length=32, choices=Kind.choices, default=Kind.OTHER)
    position = models.PositiveSmallIntegerField(default=0)
    # Retired reasons stay on the applications that used them but are no longer offered.
    active = models.BooleanField(_("使用中"), default=True)

    class Meta:
        verbose_name = _("不採用理由")
        verbose_name_plural = _("不採用理由")
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["organisation", "label"], name="rejection_reason_label_once")]

    def __str__(self):
        return self.label


# The list every company starts with: (label, kind). The labels are stored in the company's
# rows (they are the company's own words from then on), so they are not translated here.
DEFAULT_REASONS = (
    ("他の候補者を採用", RejectionReason.Kind.OTHER_CANDIDATE),
    ("経験・スキル不足", RejectionReason.Kind.SKILLS_GAP),
    ("条件不一致（給与・勤務地・勤務形態）", RejectionReason.Kind.CONDITIONS),
    ("社風・価値観の不一致", RejectionReason.Kind.CULTURE),
    ("募集終了・ポジション充足", RejectionReason.Kind.POSITION_CLOSED),
    ("辞退", RejectionReason.Kind.DECLINED),
    ("その他", RejectionReason.Kind.OTHER),
)


class Job(models.Model):
    """A position the company is (or was) hiring for: the simple job list of the workspace."""

    class Status(models.TextChoices):
        OPEN = "open", _("募集中")
        CLOSED = "closed", _("募集終了")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="jobs")
    title = models.CharField(_("職種名"), max_length=200)
    description = models.TextField(_("仕事内容"), blank=True)
    # Comma-separated as typed; normalised keys are what matching compares.
    skills = models.CharField(_("求めるスキル"), max_length=500, blank=True)
    status = models.CharField(_("状態"), max_length=16, choices=Status.choices, default=Status.OPEN)
    ats_id = models.CharField(max_length=100, blank=True)
    opened_at = models.DateTimeField(_("募集開始"), default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("求人")
        verbose_name_plural = _("求人")
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["organisation", "status"], name="job_org_status")]

    def __str__(self):
        return self.title


class Applicant(models.Model):
    """A person who applied to the company, once however many times they applied.

    job_title, stage, rejected_on, reason and rejection_reason describe the person's latest
    application (Application): talent.services keeps them in step so the pool's lists and
    filters read one row per person.
    """

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
    reason = models.ForeignKey(
        RejectionReason,
        verbose_name=_("不採用理由（分類）"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    rejected_on = models.DateField(_("不採用日"), null=True, blank=True)
    years_experience = models.PositiveSmallIntegerField(_("経験年数"), null=True, blank=True)
    # The person's id in the employer's ATS: an import or webhook that carries it updates this
    # row instead of creating another.
    ats_id = models.CharField(_("ATS ID"), max_length=100, blank=True)
    source = models.CharField(_("応募経路"), max_length=200, blank=True)
    notes = models.TextField(_("評価メモ"), blank=True)
    recontact_ok = models.BooleanField(_("再連絡の同意"), default=False)
    # Set when the person registered through the company's relay link and agreed to be contacted
    # again (the 「再応募歓迎」 list): the marketplace candidate's pseudonymous public_id, not a
    # foreign key, so employer data never joins marketplace data. Withdrawing that consent
    # clears recontact_ok on this row.
    candidate_public_id = models.UUIDField(null=True, blank=True, editable=False)
    # What the pool's text search reads lives in PoolDocument, a narrow table of its own, so the
    # filters that scan this table do not drag every applicant's whole text along.
    tags = models.ManyToManyField("Tag", verbose_name=_("タグ"), blank=True, related_name="applicants")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("応募者")
        verbose_name_plural = _("応募者")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "email_normalized"], name="one_applicant_per_email_per_org"
            ),
            models.UniqueConstraint(
                fields=["organisation", "ats_id"], condition=~Q(ats_id=""), name="one_applicant_per_ats_id_per_org"
            ),
        ]
        indexes = [
            # The pool list in its default order with the columns its filters test: a filtered
            # list reads this index alone, not the wide rows (bench/pool_bench.py).
            models.Index(
                fields=[
                    "organisation",
                    "-created_at",
                    "-id",
                    "stage",
                    "recontact_ok",
                    "rejected_on",
                    "years_experience",
                    "reason",
                ],
                name="applicant_org_list",
            ),
            # The same for a range of rejection dates (and the sort by them).
            models.Index(
                fields=[
                    "organisation",
                    "rejected_on",
                    "stage",
                    "recontact_ok",
                    "created_at",
                    "years_experience",
                    "reason",
                ],
                name="applicant_org_rejected_list",
            ),
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.family_name, self.given_name) if part)

    @property
    def full_name_kana(self) -> str:
        return " ".join(part for part in (self.family_name_kana, self.given_name_kana) if part)


class PoolDocument(models.Model):
    """What the pool's text search reads for one applicant: names, kana, email, skills, tags,
    notes and every application's job and reasons, normalised (talent.pool_search)."""

    applicant = models.OneToOneField(
        Applicant, on_delete=models.CASCADE, primary_key=True, related_name="pool_document"
    )
    # The applicant's organisation again, so a search scans one company's documents only.
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(blank=True)


class ApplicantSkill(models.Model):
    """One skill of an applicant, stored once however it was typed (the same key as candidates')."""

    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="skill_set")
    name = models.CharField(max_length=50)  # as first typed
    key = models.CharField(max_length=50, db_index=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["applicant", "key"], name="applicant_skill_once")]
        # The pool's skill filter reads the applicants of a skill from the index alone.
        indexes = [models.Index(fields=["key", "applicant"], name="applicant_skill_key_applicant")]


class Tag(models.Model):
    """A company's own label for pool members (「エンジニア候補」「2025新卒」)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="applicant_tags")
    name = models.CharField(_("タグ"), max_length=50)
    # NFKC + case folded: 「ＰＭ候補」 and 「pm候補」 are one tag.
    key = models.CharField(max_length=50)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["organisation", "key"], name="tag_once_per_org")]

    def __str__(self):
        return self.name


class ApplicantNote(models.Model):
    """An interviewer's evaluation note; an applicant has several, each with its author and date."""

    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="evaluation_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    # Kept when the author's account goes (or for notes imported from an ATS).
    author_name = models.CharField(_("記入者"), max_length=150, blank=True)
    body = models.TextField(_("評価コメント"), max_length=5000)
    created_at = models.DateTimeField(_("記入日時"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("評価コメント")
        verbose_name_plural = _("評価コメント")
        ordering = ["-created_at", "-id"]


class SavedSearch(models.Model):
    """A pool search a recruiter named to run again: the list page's query string, as a dict."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="saved_applicant_searches")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    name = models.CharField(_("名前"), max_length=100)
    params = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="saved_search_name_once")]

    def __str__(self):
        return self.name


class Application(models.Model):
    """One selection the person went through: a second application is a second row."""

    class Outcome(models.TextChoices):
        IN_PROGRESS = "in_progress", _("選考中")
        REJECTED = "rejected", _("不採用")
        WITHDRAWN = "withdrawn", _("辞退")
        HIRED = "hired", _("採用")

    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="applications")
    job = models.ForeignKey(Job, on_delete=models.SET_NULL, null=True, blank=True, related_name="applications")
    job_title = models.CharField(_("応募職種"), max_length=200, blank=True)
    stage = models.CharField(_("選考段階"), max_length=32, choices=Stage.choices, default=Stage.OTHER)
    outcome = models.CharField(_("結果"), max_length=16, choices=Outcome.choices, default=Outcome.REJECTED)
    applied_on = models.DateField(_("応募日"), null=True, blank=True)
    rejected_on = models.DateField(_("不採用日"), null=True, blank=True)
    reason = models.ForeignKey(
        RejectionReason,
        verbose_name=_("不採用理由（分類）"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="applications",
    )
    rejection_reason = models.TextField(_("不採用理由"), blank=True)
    ats_id = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("応募")
        verbose_name_plural = _("応募")
        ordering = ["applicant_id", "created_at", "id"]
        indexes = [
            models.Index(fields=["applicant", "created_at"], name="application_applicant_created"),
            models.Index(fields=["rejected_on"], name="application_rejected_on"),
            # The pool's outcome filter (「採用」 once): the applicants from the index alone.
            models.Index(fields=["outcome", "applicant"], name="application_outcome_applicant"),
        ]

    def __str__(self):
        return f"{self.job_title or '—'} ({self.get_outcome_display()})"


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
    # The rows as the validation report cleaned them (importing.py), so the import does not clean
    # them again: {"key": what they were cleaned with, "rows": [...]} as zlib-compressed JSON
    # (a jsonb column took 0.2 s to write for 10,000 rows; bench/RESULTS.md). Null until the report.
    cleaned = models.BinaryField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["created_at"], name="applicant_upload_created")]
