import uuid

from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from careerrelay.candidates.choices import JobCategory, Prefecture, RemotePreference
from careerrelay.common.single_use import SingleUseToken
from careerrelay.relay.models import RelayCampaign

# What a person types into the relay form (forms.RegistrationForm); a later submission for an
# unconfirmed address replaces all of them (services.register_candidate).
REGISTRATION_FIELDS = (
    "family_name",
    "given_name",
    "family_name_kana",
    "given_name_kana",
    "email",
    "phone",
    "prefecture",
    "job_category",
    "years_experience",
    "skills",
    "summary",
)


class Candidate(models.Model):
    """Marketplace data: what a person entered themselves, under their own consent."""

    class Status(models.TextChoices):
        PENDING = "pending", _("メール確認待ち")
        VERIFIED = "verified", _("登録済み")

    class Referral(models.TextChoices):
        NOT_EVALUATED = "", _("未判定")
        COUNTED = "counted", _("紹介としてカウント")
        NOT_NEW = "not_new", _("既存の登録者")
        NO_CONSENT = "no_consent", _("同意なし")
        HELD = "held", _("審査保留")
        NO_SOURCE = "no_source", _("リレーリンク以外からの登録")
        # An operator looked at a held registration and refused it: it never counts.
        REJECTED = "rejected", _("審査で却下")

    class HoldReason(models.TextChoices):
        SAME_IP = "same_ip", _("同じIPアドレスからこの企業への登録が多い")
        COMPANY_DOMAIN = "company_domain", _("企業自身のドメインのメールアドレス")
        STAFF_IP = "staff_ip", _("企業の担当者が使うIPアドレスからの登録")
        SHARED_DOMAIN = "shared_domain", _("同じドメインのメールアドレスからこの企業への登録が多い")
        # The company is awaiting the operator's review (or was refused, or is suspended): nobody has
        # vouched for it yet, so its link earns nothing until an operator approves it.
        COMPANY_NOT_APPROVED = "company_not_approved", _("企業が運営の承認前・停止中")

    # The pseudonymous key that the ledger keeps after the person is deleted.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    family_name = models.CharField(_("姓"), max_length=50)
    given_name = models.CharField(_("名"), max_length=50)
    family_name_kana = models.CharField(_("セイ"), max_length=50, blank=True)
    given_name_kana = models.CharField(_("メイ"), max_length=50, blank=True)
    email = models.EmailField(_("メールアドレス"))
    email_normalized = models.CharField(max_length=254, unique=True)
    phone = models.CharField(_("電話番号"), max_length=32, blank=True)
    phone_normalized = models.CharField(max_length=20, blank=True, db_index=True)
    prefecture = models.CharField(_("都道府県"), max_length=2, choices=Prefecture.choices)
    job_category = models.CharField(_("希望職種"), max_length=32, choices=JobCategory.choices)
    years_experience = models.PositiveSmallIntegerField(_("経験年数"), validators=[MaxValueValidator(60)])
    skills = models.CharField(_("スキル"), max_length=500, blank=True)
    summary = models.TextField(_("自己紹介"), max_length=1000, blank=True)
    language = models.CharField(max_length=8, default="ja")
    registration_ip = models.GenericIPAddressField(null=True, blank=True)

    source_campaign = models.ForeignKey(
        RelayCampaign, on_delete=models.SET_NULL, null=True, blank=True, related_name="candidates"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    verified_at = models.DateTimeField(null=True, blank=True)
    held_for_review = models.BooleanField(_("不正審査で保留"), default=False)
    referral_status = models.CharField(max_length=16, choices=Referral.choices, default="", blank=True)
    # Why the registration was held (HoldReason codes), kept after the operator's decision.
    hold_reasons = models.JSONField(_("保留の理由"), default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # Bumped by "sign out everywhere": a session remembers the generation it was made in.
    session_generation = models.PositiveIntegerField(default=0)
    last_signed_in_at = models.DateTimeField(null=True, blank=True)
    # "最終更新日": the Employment Security Act guidelines ask that a profile show when it was last
    # changed, so this moves only when the person really changes something (not on sign-in).
    profile_updated_at = models.DateTimeField(_("最終更新日"), default=timezone.now)
    # The profile the candidate keeps up to date on their my-page. job_category stays the first
    # desired category, for the registration form and everything that reads one category.
    desired_job_categories = models.JSONField(_("希望職種"), default=list, blank=True)
    desired_prefectures = models.JSONField(_("希望勤務地"), default=list, blank=True)
    remote_preference = models.CharField(
        _("リモートワークの希望"), max_length=16, choices=RemotePreference.choices, blank=True
    )
    desired_salary_min = models.PositiveIntegerField(_("希望年収(下限・万円)"), null=True, blank=True)
    desired_salary_max = models.PositiveIntegerField(_("希望年収(上限・万円)"), null=True, blank=True)

    class Meta:
        verbose_name = _("求職者")
        verbose_name_plural = _("求職者")
        # The employer's analytics count today's registrations and confirmations live, per relay
        # link of the company (analytics.aggregation); without these that reads every registration
        # the company ever had. Led by the link: SQLite and PostgreSQL both reach the candidates
        # through the company's links, and then read only the day's range.
        indexes = [
            models.Index(fields=["source_campaign", "created_at"], name="candidate_campaign_created"),
            models.Index(fields=["source_campaign", "verified_at"], name="candidate_campaign_verified"),
        ]

    def __str__(self):
        return f"{self.family_name} {self.given_name}"

    @property
    def is_verified(self):
        return self.status == self.Status.VERIFIED


class Consent(models.Model):
    """Append-only: a grant or a withdrawal, with the notice the person saw."""

    class Purpose(models.TextChoices):
        AGENCY_SHARING = "agency_sharing", _("提携人材紹介会社への提供")
        EMPLOYER_RECONTACT = "employer_recontact", _("応募先企業からの再連絡")

    class Action(models.TextChoices):
        GRANT = "grant", _("同意")
        WITHDRAW = "withdraw", _("撤回")
        # A later submission for the same unconfirmed address replaced this registration's data:
        # the earlier grants stay as history but no longer apply (see register_candidate).
        SUPERSEDED = "superseded", _("再登録により置き換え")

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(max_length=32, choices=Purpose.choices)
    action = models.CharField(max_length=16, choices=Action.choices)
    recipients = models.CharField(max_length=300)
    notice_version = models.CharField(max_length=32)
    notice_hash = models.CharField(max_length=64)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Consent records are append-only.")
        super().save(*args, **kwargs)


class VerificationToken(SingleUseToken):
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="verification_tokens")


class IdentityFingerprint(models.Model):
    """Keyed hashes of every email and phone that has ever been verified.

    The unique constraint is what makes "new to the platform" hold under concurrent requests,
    and it survives the person's deletion without keeping their address.
    """

    class Kind(models.TextChoices):
        EMAIL = "email"
        PHONE = "phone"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    digest = models.CharField(max_length=64)
    subject_key = models.UUIDField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "digest"], name="fingerprint_seen_once")]


class WorkHistory(models.Model):
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="work_history")
    company = models.CharField(_("会社名"), max_length=100)
    role = models.CharField(_("職種・役職"), max_length=100, blank=True)
    started_on = models.DateField(_("開始年月"))  # the first day of the month
    ended_on = models.DateField(_("終了年月"), null=True, blank=True)  # empty: still there
    description = models.TextField(_("業務内容"), max_length=1000, blank=True)

    class Meta:
        ordering = ["-started_on", "id"]


class CandidateSkill(models.Model):
    """One skill, stored once however it was typed: "ＰＹＴＨＯＮ" and "Python" share a key."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="skill_set")
    name = models.CharField(max_length=50)  # as first typed
    key = models.CharField(max_length=50, db_index=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["candidate", "key"], name="candidate_skill_once")]


class Resume(models.Model):
    """The candidate's résumé file, kept under MEDIA_ROOT/resumes under a random name; no URL serves
    that folder, only the download views through privacy.access.open_resume_for."""

    class Kind(models.TextChoices):
        PDF = "pdf", "PDF"
        DOCX = "docx", "Word (.docx)"

    candidate = models.OneToOneField(Candidate, on_delete=models.CASCADE, related_name="resume")
    stored_name = models.CharField(max_length=64, unique=True)
    original_name = models.CharField(_("ファイル名"), max_length=200)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(default=timezone.now)


class SignInToken(SingleUseToken):
    """An email sign-in link: stored hashed, single use, short-lived, bound to the asking browser."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="signin_tokens")
    browser_hash = models.CharField(max_length=64)  # hash of the nonce cookie of the browser that asked


class EmailChangeToken(SingleUseToken):
    """A link sent to the new address; the address changes only when its page is submitted."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="email_change_tokens")
    new_email = models.EmailField()
