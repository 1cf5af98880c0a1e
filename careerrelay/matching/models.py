"""Introductions (an agency proposes a candidate to a company; the candidate decides) and free
referrals (an employer's earned credit, redeemed by an agency with an interview the candidate
committed to, 面談確約)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from careerrelay.agencies.models import JobOrder
from careerrelay.candidates.choices import Prefecture
from careerrelay.candidates.models import Candidate
from careerrelay.organisations.models import Organisation
from careerrelay.privacy.models import ProvisionRecord


class FreeReferralRequest(models.Model):
    """An employer's request for one free referral. Filing it reserves one credit (a ledger row
    keyed by `public_id`); the request ends fulfilled (the credit is consumed) or expired (the
    credit returns). Every change of `state` is a conditional UPDATE from `open`, so it happens once.

    One agency at a time works on it: `claimed_by` is set by a conditional UPDATE that only wins
    while nobody holds an unexpired claim.
    """

    class State(models.TextChoices):
        OPEN = "open", _("受付中")
        FULFILLED = "fulfilled", _("面接確定(枠を消化)")
        EXPIRED = "expired", _("期限切れ(枠を返却)")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="free_referral_requests", verbose_name=_("企業")
    )
    role = models.CharField(_("募集職種"), max_length=200)
    requirements = models.TextField(_("求める経験・スキル"), max_length=4000)
    prefecture = models.CharField(_("勤務地(都道府県)"), max_length=2, choices=Prefecture.choices)
    location_note = models.CharField(_("勤務地の補足"), max_length=200, blank=True)
    salary_min = models.PositiveIntegerField(_("年収(下限・万円)"), null=True, blank=True)
    salary_max = models.PositiveIntegerField(_("年収(上限・万円)"), null=True, blank=True)
    desired_start = models.DateField(_("入社希望時期"), null=True, blank=True)
    deadline = models.DateField(_("期限"))
    state = models.CharField(_("状況"), max_length=16, choices=State.choices, default=State.OPEN)
    claimed_by = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claimed_free_referrals",
        verbose_name=_("担当の人材紹介会社"),
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_expires_at = models.DateTimeField(null=True, blank=True)
    # The lapse reminders went out: for the claim ending at this moment (a new or extended claim
    # is reminded again), and for the deadline (once per request).
    claim_reminded_for = models.DateTimeField(null=True, blank=True)
    deadline_reminded_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("依頼日時"), default=timezone.now)
    settled_at = models.DateTimeField(_("完了日時"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("無料紹介の依頼")
        verbose_name_plural = _("無料紹介の依頼")
        indexes = [models.Index(fields=["state", "deadline"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(salary_min__isnull=True) | Q(salary_max__isnull=True) | Q(salary_min__lte=F("salary_max")),
                name="free_referral_salary_range",
            ),
            models.CheckConstraint(
                condition=Q(claimed_by__isnull=True, claim_expires_at__isnull=True)
                | Q(claimed_by__isnull=False, claim_expires_at__isnull=False),
                name="free_referral_claim_has_an_end",
            ),
            models.CheckConstraint(
                condition=Q(state="open", settled_at__isnull=True) | (~Q(state="open") & Q(settled_at__isnull=False)),
                name="free_referral_settled_when_closed",
            ),
        ]

    def __str__(self):
        return f"{self.organisation} / {self.role}"

    @property
    def is_open(self):
        return self.state == self.State.OPEN

    def claim_holder(self, now=None):
        """The agency holding an unexpired claim, or None."""
        now = now or timezone.now()
        if self.claimed_by_id and self.claim_expires_at and self.claim_expires_at > now:
            return self.claimed_by
        return None


class Introduction(models.Model):
    """An agency introduces a candidate to a company (a client company of one of its job orders,
    a company named by the agency, or an employer on the platform for a free referral).

    The company receives nothing until the candidate accepts; acceptance writes the provision
    record (`provision_record`). After that the agency moves it through the stages; every change
    is an IntroductionEvent.
    """

    class Stage(models.TextChoices):
        PROPOSED = "proposed", _("本人の回答待ち")
        DECLINED = "declined", _("本人が辞退")
        ACCEPTED = "accepted", _("本人が承諾")
        INTERVIEW_SCHEDULED = "interview_scheduled", _("面接日程の確定")
        INTERVIEWED = "interviewed", _("面接済み")
        OFFER = "offer", _("内定")
        HIRED = "hired", _("入社決定")
        NOT_HIRED = "not_hired", _("不採用")
        WITHDRAWN = "withdrawn", _("選考の取り下げ")

    class Party(models.TextChoices):
        AGENCY = "agency", _("人材紹介会社")
        CANDIDATE = "candidate", _("本人")
        COMPANY = "company", _("企業")
        SYSTEM = "system", _("システム")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="introductions_made", verbose_name=_("人材紹介会社")
    )
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="introductions")
    job_order = models.ForeignKey(
        JobOrder,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="introductions",
        verbose_name=_("求人票"),
    )
    # The company when it is an organisation on the platform (it then sees the introduction in its
    # own workspace); otherwise only `company_name`, the agency's client.
    company = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="introductions_received",
        verbose_name=_("紹介先の企業"),
    )
    company_name = models.CharField(_("紹介先の企業名"), max_length=200)
    role = models.CharField(_("職種・ポジション"), max_length=200)
    message = models.TextField(_("本人へのメッセージ"), max_length=2000, blank=True)
    free_referral = models.ForeignKey(
        FreeReferralRequest,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="introductions",
        verbose_name=_("無料紹介の依頼"),
    )
    # 面談確約: accepting this introduction is also agreeing to an interview with the company.
    interview_commitment = models.BooleanField(_("面談確約"), default=False)
    stage = models.CharField(_("状況"), max_length=32, choices=Stage.choices, default=Stage.PROPOSED)
    withdrawn_by = models.CharField(_("取り下げた人"), max_length=16, choices=Party.choices, blank=True)
    # The interview as last scheduled (the events keep every change), shown to all three parties.
    interview_at = models.DateTimeField(_("面接日時"), null=True, blank=True)
    interview_place = models.CharField(_("面接の場所・URL"), max_length=500, blank=True)
    provision_record = models.ForeignKey(
        ProvisionRecord, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("紹介日時"), default=timezone.now)
    responded_at = models.DateTimeField(_("回答日時"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新日時"), default=timezone.now)

    OPEN_STAGES = (
        Stage.PROPOSED,
        Stage.ACCEPTED,
        Stage.INTERVIEW_SCHEDULED,
        Stage.INTERVIEWED,
        Stage.OFFER,
    )
    # What the company may see: only what follows the candidate's acceptance.
    AFTER_ACCEPTANCE = (
        Stage.ACCEPTED,
        Stage.INTERVIEW_SCHEDULED,
        Stage.INTERVIEWED,
        Stage.OFFER,
        Stage.HIRED,
        Stage.NOT_HIRED,
        Stage.WITHDRAWN,
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("紹介")
        verbose_name_plural = _("紹介")
        constraints = [
            models.CheckConstraint(condition=~Q(company_name=""), name="introduction_names_a_company"),
            models.CheckConstraint(
                condition=Q(free_referral__isnull=True) | Q(company__isnull=False, interview_commitment=True),
                name="free_referral_introduction_commits_to_an_interview",
            ),
            models.CheckConstraint(
                condition=Q(stage="withdrawn") | Q(withdrawn_by=""), name="only_a_withdrawal_names_who"
            ),
            # No second open introduction of the same person for the same job order or request.
            models.UniqueConstraint(
                fields=["candidate", "job_order"],
                condition=Q(
                    job_order__isnull=False,
                    stage__in=["proposed", "accepted", "interview_scheduled", "interviewed", "offer"],
                ),
                name="one_open_introduction_per_job_order",
            ),
            models.UniqueConstraint(
                fields=["candidate", "free_referral"],
                condition=Q(
                    free_referral__isnull=False,
                    stage__in=["proposed", "accepted", "interview_scheduled", "interviewed", "offer"],
                ),
                name="one_open_introduction_per_free_referral",
            ),
        ]

    def __str__(self):
        return f"{self.company_name} / {self.role}"

    @property
    def is_accepted(self):
        return self.stage in self.AFTER_ACCEPTANCE


class IntroductionEvent(models.Model):
    """One change of an introduction's stage: to what, by whom, when. `note` is the agency's
    internal note and is shown to the agency only; the company and the candidate see the stage,
    the date and the interview time."""

    introduction = models.ForeignKey(Introduction, on_delete=models.CASCADE, related_name="events")
    stage = models.CharField(_("状況"), max_length=32, choices=Introduction.Stage.choices)
    party = models.CharField(_("変更した人"), max_length=16, choices=Introduction.Party.choices)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    interview_at = models.DateTimeField(_("面接日時"), null=True, blank=True)
    interview_place = models.CharField(_("面接の場所・URL"), max_length=500, blank=True)
    note = models.TextField(_("社内メモ"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("日時"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("紹介の経過")
        verbose_name_plural = _("紹介の経過")


class FreeReferralProposal(models.Model):
    """An accepted, interview-committed introduction put before the employer of a free-referral
    request. The employer confirms the interview (the request is fulfilled and its credit
    consumed) or declines with a reason (the agency may propose someone else)."""

    class State(models.TextChoices):
        PENDING = "pending", _("企業の確認待ち")
        CONFIRMED = "confirmed", _("面接確定")
        DECLINED = "declined", _("見送り")
        CLOSED = "closed", _("終了")

    class DeclineCategory(models.TextChoices):
        """Why the employer declined: a fixed list, so operators can compare companies' declines."""

        SKILLS = "skills", _("スキル・経験が要件に合わない")
        CONDITIONS = "conditions", _("勤務地・条件が合わない")
        POSITION_FILLED = "position_filled", _("既に採用が決まった")
        APPLIED_BEFORE = "applied_before", _("同じ人物に以前応募あり")
        OTHER = "other", _("その他")

    request = models.ForeignKey(FreeReferralRequest, on_delete=models.CASCADE, related_name="proposals")
    introduction = models.OneToOneField(Introduction, on_delete=models.CASCADE, related_name="proposal")
    agency = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("状況"), max_length=16, choices=State.choices, default=State.PENDING)
    decline_category = models.CharField(
        _("見送りの理由(区分)"), max_length=32, choices=DeclineCategory.choices, blank=True
    )
    decline_reason = models.TextField(_("見送りの理由"), max_length=2000, blank=True)
    proposed_at = models.DateTimeField(_("提案日時"), default=timezone.now)
    decided_at = models.DateTimeField(_("回答日時"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-proposed_at", "-id"]
        verbose_name = _("無料紹介の提案")
        verbose_name_plural = _("無料紹介の提案")
        constraints = [
            models.UniqueConstraint(
                fields=["request"], condition=Q(state="confirmed"), name="one_confirmed_proposal_per_request"
            ),
            models.CheckConstraint(
                condition=~Q(state="declined") | ~Q(decline_reason=""), name="a_declined_proposal_has_a_reason"
            ),
            models.CheckConstraint(
                condition=~Q(state="declined") | ~Q(decline_category=""), name="a_declined_proposal_has_a_category"
            ),
        ]


class DecliningEmployer(Organisation):
    """Employers as the operator console lists them by their declined free-referral proposals
    (matching.admin): declining is how a company could read candidates and get its credit back, so
    repeated declines are for an operator to look at."""

    class Meta:
        proxy = True
        verbose_name = _("見送りの多い企業")
        verbose_name_plural = _("見送りの多い企業")
