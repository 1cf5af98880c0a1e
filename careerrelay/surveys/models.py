"""Candidate experience surveys (NPS): one invitation per message, at most one answer to it.

An invitation is made when a message carrying {{survey_link}} is rendered (a bulk rejection
send, a follow-up) or when CareerRelay asks a candidate about the service itself. It keeps a
snapshot of what the aggregates need (company, template, job, stage reached, kind of rejection
reason, month sent), so the figures never have to join the employer's applicant rows, and stay
the same when a template is renamed or an applicant deleted. The link's token is stored hashed.

The answer is anonymous to the employer: the employer's pages and the API read only
aggregates of at least `services.THRESHOLD` answers (services.py), never a row.
"""

from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SurveyInvitation(models.Model):
    class Kind(models.TextChoices):
        SELECTION = "selection", _("企業の選考について")
        SERVICE = "service", _("キャリアリレーについて")

    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.SELECTION)
    token_hash = models.CharField(max_length=64, unique=True)
    # --- The snapshot (kind "selection") ---
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    template = models.ForeignKey(
        "rejections.RejectionTemplate", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    template_name = models.CharField(_("テンプレート"), max_length=100, blank=True)
    job = models.ForeignKey("talent.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    job_title = models.CharField(_("応募職種"), max_length=200, blank=True)
    stage = models.CharField(_("選考段階"), max_length=32, blank=True)  # talent.models.Stage
    reason_kind = models.CharField(_("不採用理由（分類）"), max_length=32, blank=True)  # RejectionReason.Kind
    # The first day of the month (Japan time) the message was due to go out.
    sent_month = models.DateField(_("送信月"))
    # The page's language when the visitor has not chosen one: the letter's.
    language = models.CharField(max_length=8, default="ja")
    # The message that carries the link; kept (SET_NULL) when old outbox rows are deleted.
    message = models.OneToOneField(
        "mailings.OutboundEmail", on_delete=models.SET_NULL, null=True, blank=True, related_name="survey_invitation"
    )
    # --- kind "service": the candidate CareerRelay asked (once). Their answer goes with their account.
    candidate = models.ForeignKey(
        "candidates.Candidate", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("アンケート依頼")
        verbose_name_plural = _("アンケート依頼")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="service") | Q(organisation__isnull=False), name="survey_selection_has_organisation"
            ),
            # CareerRelay asks each candidate once, however many introductions follow.
            models.UniqueConstraint(fields=["candidate"], condition=Q(kind="service"), name="service_survey_once"),
        ]
        indexes = [models.Index(fields=["organisation", "sent_month"], name="survey_invitation_org_month")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.sent_month:%Y-%m}"


class SurveyResponse(models.Model):
    """The answer to one invitation. The one-to-one column is the unique constraint that keeps it
    one: a second answer (or two posted at the same moment) replaces the first."""

    invitation = models.OneToOneField(SurveyInvitation, on_delete=models.CASCADE, related_name="response")
    score = models.PositiveSmallIntegerField(_("おすすめ度"), validators=[MaxValueValidator(10)])
    comment = models.TextField(_("コメント"), max_length=1000, blank=True)
    # Keys of services.GOOD_POINTS / IMPROVEMENTS (or the service survey's lists).
    good_points = models.JSONField(default=list, blank=True)
    improvements = models.JSONField(default=list, blank=True)
    answered_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("アンケート回答")
        verbose_name_plural = _("アンケート回答")
        constraints = [models.CheckConstraint(condition=Q(score__lte=10), name="survey_score_0_to_10")]

    def __str__(self):
        return str(self.score)


class ServiceSurveyResponse(SurveyResponse):
    """The answers about CareerRelay itself, for the operator console (admin.py)."""

    class Meta:
        proxy = True
        verbose_name = _("キャリアリレーの満足度（NPS）")
        verbose_name_plural = _("キャリアリレーの満足度（NPS）")
