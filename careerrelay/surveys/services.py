"""Candidate experience surveys: the {{survey_link}} of a message, answering it, and the
aggregates an employer (and, for CareerRelay's own survey, an operator) may see.

Anonymity. An answer is tied to its invitation (and, through the message, to a recipient) only
inside CareerRelay, so that a second answer replaces the first. Nothing that reads answers for
an employer returns a row: `summary` returns groups, and a group of fewer than THRESHOLD answers
shows no figure at all, not even how many answered (knowing that "1" answered for a job with
one rejected applicant says who). Because the total is exact, the hidden groups together must
not be 1–4 answers either (the total minus the shown groups would give them away): then the
smallest shown groups are hidden too (`_protect_by_difference`). Comments are shown only when the
whole set has at least THRESHOLD answers, with the month only when that month has as many, and in
an order that says nothing about when within the month they came.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Min, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from careerrelay.common.tokens import hash_token, new_token
from careerrelay.outbox.models import OutboundEmail
from careerrelay.outbox.services import queue_email
from careerrelay.rejections.services import find_variables
from careerrelay.surveys.figures import DETRACTOR_UP_TO, PROMOTER_FROM, Nps, difference
from careerrelay.surveys.models import SurveyInvitation, SurveyResponse
from careerrelay.talent.models import Application, RejectionReason, Stage

if TYPE_CHECKING:
    from careerrelay.candidates.models import Candidate
    from careerrelay.organisations.models import Organisation
    from careerrelay.rejections.models import RejectionTemplate
    from careerrelay.talent.models import Applicant

THRESHOLD = 5
COMMENT_MAX_LENGTH = 1000
Kind = SurveyInvitation.Kind

# The two optional multiple-choice questions. Keys are stored; labels are shown (translated).
GOOD_POINTS = {
    "communication": _("連絡が早く、わかりやすかった"),
    "respect": _("丁寧・誠実に対応してもらえた"),
    "interviewers": _("面接官が話をよく聞いてくれた"),
    "information": _("仕事内容や条件の説明が十分だった"),
    "schedule": _("日程調整がスムーズだった"),
    "result_notice": _("結果の伝え方に配慮があった"),
}
IMPROVEMENTS = {
    "speed": _("結果の連絡をもっと早くしてほしい"),
    "reasons": _("結果の理由をもう少し知りたかった"),
    "information": _("仕事内容や条件の説明がもっとほしかった"),
    "interviewers": _("面接官の態度や質問に改善の余地がある"),
    "schedule": _("日程調整や選考の進め方を改善してほしい"),
    "burden": _("選考の回数や負担を減らしてほしい"),
}
SERVICE_GOOD_POINTS = {
    "easy_signup": _("登録が簡単だった"),
    "fit": _("紹介された求人が希望に合っていた"),
    "advisor": _("紹介会社の対応が良かった"),
    "privacy": _("個人情報の扱いに安心できた"),
}
SERVICE_IMPROVEMENTS = {
    "more_jobs": _("もっと多くの求人を紹介してほしい"),
    "better_fit": _("希望にもっと合う求人を紹介してほしい"),
    "speed": _("連絡をもっと早くしてほしい"),
    "explanation": _("サービスの説明をもっとわかりやすくしてほしい"),
}


def choices_for(kind: str) -> tuple[dict, dict]:
    """(good points, improvements) offered by a survey of this kind."""
    if kind == Kind.SERVICE:
        return SERVICE_GOOD_POINTS, SERVICE_IMPROVEMENTS
    return GOOD_POINTS, IMPROVEMENTS


def survey_url(token: str) -> str:
    return settings.SITE_URL + reverse("surveys:answer", args=[token])


def preview_survey_url() -> str:
    """Where {{survey_link}} points in a preview: a page that says it is one."""
    return survey_url("preview")


def uses_survey_link(template: RejectionTemplate) -> bool:
    return "survey_link" in find_variables(f"{template.subject}\n{template.body}")


def month_of(moment: datetime | date) -> date:
    if isinstance(moment, datetime):
        moment = timezone.localdate(moment)
    return moment.replace(day=1)


# --- Invitations -------------------------------------------------------------------------------


def _latest_applications(applicant_ids) -> dict[int, Application]:
    """Each applicant's latest application (job, stage, reason), in one query."""
    latest: dict[int, Application] = {}
    rows = (
        Application.objects.filter(applicant_id__in=applicant_ids)
        .select_related("reason")
        .order_by("applicant_id", "created_at", "id")
    )
    for application in rows:
        latest[application.applicant_id] = application  # ordered oldest first: the last one wins
    return latest


class SurveyLinks:
    """The {{survey_link}} of each message of a batch, for any sender (bulk sends, follow-ups).

        links = SurveyLinks(organisation=org, template=template, applicants=applicants)
        url = links.link_for(applicant, message_id=row.message_id, due=row.due_at)
        ... render with survey_url=url, create the outbox rows (bulk_create is fine) ...
        links.save()   # in the same transaction, after the rows exist

    `save` makes one invitation per message that really exists: a row that bulk_create skipped
    (ignore_conflicts, a second preparer) gets none, and its link, never sent, opens nothing.
    """

    def __init__(self, *, organisation: Organisation, template: RejectionTemplate | None, applicants):
        self.organisation = organisation
        self.template = template
        applicants = list(applicants)
        self._applications = _latest_applications([a.pk for a in applicants if a.pk])
        # For applicants without an application row: their own reason, read once for the batch.
        self._reason_kinds = dict(
            RejectionReason.objects.filter(pk__in={a.reason_id for a in applicants if a.reason_id}).values_list(
                "pk", "kind"
            )
        )
        self._pending: dict[str, SurveyInvitation] = {}

    def link_for(self, applicant: Applicant, *, message_id: str, due: datetime | None = None) -> str:
        token = new_token(18)
        application = self._applications.get(applicant.pk)
        if application is not None:
            job, job_title, stage = application.job_id, application.job_title, application.stage
            reason_kind = application.reason.kind if application.reason is not None else ""
        else:
            job, job_title, stage = None, applicant.job_title, applicant.stage
            reason_kind = self._reason_kinds.get(applicant.reason_id, "") if applicant.reason_id else ""
        template = self.template
        self._pending[message_id] = SurveyInvitation(
            kind=Kind.SELECTION,
            token_hash=hash_token(token),
            organisation=self.organisation,
            template=template if template is not None and template.pk else None,
            template_name=template.name if template is not None else "",
            job_id=job,
            job_title=job_title or "",
            stage=stage or "",
            reason_kind=reason_kind,
            sent_month=month_of(due or timezone.now()),
            language=getattr(template, "language", "ja") or "ja",
        )
        return survey_url(token)

    def save(self) -> int:
        if not self._pending:
            return 0
        messages = dict(
            OutboundEmail.objects.filter(message_id__in=list(self._pending)).values_list("message_id", "pk")
        )
        invitations = []
        for message_id, invitation in self._pending.items():
            if message_id in messages:
                invitation.message_id = messages[message_id]
                invitations.append(invitation)
        SurveyInvitation.objects.bulk_create(invitations, batch_size=500, ignore_conflicts=True)
        self._pending.clear()
        return len(invitations)


def find_invitation(token: str) -> SurveyInvitation | None:
    if not token or len(token) > 100:
        return None
    return (
        SurveyInvitation.objects.select_related("organisation", "response").filter(token_hash=hash_token(token)).first()
    )


@transaction.atomic
def ask_candidate_about_service(*, candidate: Candidate) -> SurveyInvitation | None:
    """CareerRelay's own survey, sent once per candidate (after the first accepted introduction:
    matching.services calls this on commit). None when they were asked before."""
    token = new_token(18)
    try:
        with transaction.atomic():
            invitation = SurveyInvitation.objects.create(
                kind=Kind.SERVICE,
                token_hash=hash_token(token),
                candidate=candidate,
                sent_month=month_of(timezone.now()),
                language=candidate.language or "ja",
            )
    except IntegrityError:
        return None  # asked already (or a concurrent acceptance got there first)
    message = queue_email(
        to=candidate.email,
        template="survey_service",
        context={"candidate": candidate, "survey_url": survey_url(token)},
        language=candidate.language or "ja",
    )
    SurveyInvitation.objects.filter(pk=invitation.pk).update(message=message)
    return invitation


# --- Answering -----------------------------------------------------------------------------------


def save_answer(
    *, invitation: SurveyInvitation, score: int, comment: str = "", good_points=(), improvements=()
) -> SurveyResponse:
    """Answers, or replaces the earlier answer to the same message. One INSERT … ON CONFLICT
    DO UPDATE on the one-to-one column, so two posts at the same moment leave one row (the
    later one's answer) and neither fails. No address or browser is kept with an answer."""
    if not 0 <= score <= 10:
        raise ValueError("score out of range")
    good, better = choices_for(invitation.kind)
    now = timezone.now()
    row = SurveyResponse(
        invitation=invitation,
        score=score,
        comment=comment[:COMMENT_MAX_LENGTH],
        good_points=[key for key in good if key in set(good_points)],
        improvements=[key for key in better if key in set(improvements)],
        answered_at=now,
        updated_at=now,
    )
    SurveyResponse.objects.bulk_create(
        [row],
        update_conflicts=True,
        unique_fields=["invitation"],
        update_fields=["score", "comment", "good_points", "improvements", "updated_at"],
    )
    return SurveyResponse.objects.get(invitation=invitation)


# --- Aggregates ------------------------------------------------------------------------------------

GROUPINGS = ("template", "job", "stage", "month")


@dataclass
class Group:
    key: str
    label: str
    nps: Nps
    # Hidden although it has THRESHOLD answers or more, so that the hidden groups together cannot
    # be worked out from the exact total (see the module docstring).
    hidden_to_protect_others: bool = False
    detail: dict = field(default_factory=dict)

    @property
    def below_threshold(self) -> bool:
        return self.nps.responses < THRESHOLD

    @property
    def shown(self) -> bool:
        return not self.below_threshold and not self.hidden_to_protect_others

    def as_api(self) -> dict:
        n = self.nps
        shown = self.shown
        return {
            "key": self.key,
            "label": self.label,
            **self.detail,
            "responses": n.responses if shown else None,
            "promoters": n.promoters if shown else None,
            "passives": n.passives if shown else None,
            "detractors": n.detractors if shown else None,
            "nps": round(n.score, 1) if shown and n.score is not None else None,
            "ci_low": round(n.interval[0], 1) if shown and n.interval else None,
            "ci_high": round(n.interval[1], 1) if shown and n.interval else None,
            "below_threshold": self.below_threshold,
        }


def _months_after(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def responses_for(organisation: Organisation, *, now: datetime | None = None) -> QuerySet[SurveyResponse]:
    """The answers about one company's selections that its figures may show: its own, nobody else's.

    A threshold per table is not enough on its own: two readings a day apart, or a month's row
    minus a job's row, could isolate one person's answer. So the figures are released in whole
    cells that never change once shown:
    - a message's answers count once the month after its own month has ended (answers given or
      changed later than that never count), so a released month is final;
    - and only in cells (template, job, stage reached, month) of at least THRESHOLD answers, so
      every figure, and every difference between figures, is made of whole cells of 5 or more.
    """
    today_month = month_of(now or timezone.now())
    closed = SurveyResponse.objects.filter(
        invitation__kind=Kind.SELECTION,
        invitation__organisation=organisation,
        invitation__organisation__isnull=False,
        invitation__sent_month__lt=_months_after(today_month, -1),
    )
    final = Q(pk__in=[])
    for month in closed.values_list("invitation__sent_month", flat=True).distinct():
        cutoff = timezone.make_aware(datetime.combine(_months_after(month, 2), time.min))
        final |= Q(invitation__sent_month=month, updated_at__lt=cutoff)
    final_answers = closed.filter(final)
    cell = ("invitation__template_id", "invitation__job_title", "invitation__stage", "invitation__sent_month")
    released = Q(pk__in=[])
    for row in final_answers.values(*cell).annotate(n=Count("id")).filter(n__gte=THRESHOLD).values(*cell):
        released |= Q(**row)
    return final_answers.filter(released)


def service_responses() -> QuerySet[SurveyResponse]:
    return SurveyResponse.objects.filter(invitation__kind=Kind.SERVICE)


_COUNTS = {
    "responses": Count("id"),
    "promoters": Count("id", filter=Q(score__gte=PROMOTER_FROM)),
    "detractors": Count("id", filter=Q(score__lte=DETRACTOR_UP_TO)),
}


def overall(responses: QuerySet[SurveyResponse]) -> Nps:
    row = responses.aggregate(**_COUNTS)
    return Nps(row["responses"], row["promoters"], row["detractors"])


def _grouped_rows(responses, group_by: str):
    """(key, label, counts) per group; groups come from the snapshot on each invitation."""
    if group_by == "template":
        rows = responses.values("invitation__template_id").annotate(name=Max("invitation__template_name"), **_COUNTS)
        for row in rows.order_by("invitation__template_id"):
            key = row["invitation__template_id"]
            yield (
                (str(key) if key else "deleted:" + row["name"]),
                row["name"] or str(_("（削除済み）")),
                row,
                {"template_id": key},
            )
    elif group_by == "job":
        # A job of the job list is one group however its title was spelled when each mail went
        # out; mails without a job are grouped by the title they named.
        merged: dict = {}
        rows = responses.values("invitation__job_id", "invitation__job_title").annotate(**_COUNTS)
        for row in rows.order_by("invitation__job_id", "invitation__job_title"):
            job_id, title = row["invitation__job_id"], row["invitation__job_title"]
            key = f"job:{job_id}" if job_id else f"title:{title}"
            entry = merged.setdefault(key, {"label": title, "job_id": job_id, **dict.fromkeys(_COUNTS, 0)})
            entry["label"] = entry["label"] or title
            for name in _COUNTS:
                entry[name] += row[name]
        for key, entry in merged.items():
            label = entry["label"] or str(_("（職種なし）"))
            yield key, label, entry, {"job_id": entry["job_id"]}
    elif group_by == "stage":
        labels = dict(Stage.choices)
        rows = responses.values("invitation__stage").annotate(**_COUNTS)
        order = list(labels)
        for row in sorted(
            rows, key=lambda r: order.index(r["invitation__stage"]) if r["invitation__stage"] in order else 99
        ):
            stage = row["invitation__stage"]
            yield stage or "unknown", str(labels.get(stage, _("不明"))), row, {}
    elif group_by == "month":
        rows = responses.values("invitation__sent_month").annotate(**_COUNTS)
        for row in rows.order_by("invitation__sent_month"):
            month = row["invitation__sent_month"]
            yield month.strftime("%Y-%m"), month.strftime("%Y-%m"), row, {"month": month.strftime("%Y-%m")}
    else:
        raise ValueError(f"unknown grouping {group_by!r}")


def _protect_by_difference(groups: list[Group]) -> None:
    """With an exact total, the hidden groups' sum is the total minus the shown ones: it must be
    0 or at least THRESHOLD. Hide the smallest shown groups until it is."""
    hidden = sum(g.nps.responses for g in groups if not g.shown)
    while 0 < hidden < THRESHOLD:
        shown = [g for g in groups if g.shown]
        if not shown:
            return
        smallest = min(shown, key=lambda g: (g.nps.responses, g.key))
        smallest.hidden_to_protect_others = True
        hidden += smallest.nps.responses


def summary(responses: QuerySet[SurveyResponse], group_by: str) -> list[Group]:
    groups = [
        Group(key=key, label=label, nps=Nps(row["responses"], row["promoters"], row["detractors"]), detail=detail)
        for key, label, row, detail in _grouped_rows(responses, group_by)
    ]
    _protect_by_difference(groups)
    return groups


@dataclass(frozen=True)
class Comment:
    text: str
    month: str  # "2026-11", or "" when that month had fewer than THRESHOLD answers


def comments(responses: QuerySet[SurveyResponse]) -> list[Comment]:
    """The comments of a set of at least THRESHOLD answers (else none): no name, no score, the
    month only, and ordered by month and then by their own text, so the order within a month
    says nothing about who answered when."""
    if responses.count() < THRESHOLD:
        return []
    months = {
        row["invitation__sent_month"]: row["n"]
        for row in responses.values("invitation__sent_month").annotate(n=Count("id"))
    }
    found = []
    for text, month in responses.exclude(comment="").values_list("comment", "invitation__sent_month"):
        shown = months.get(month, 0) >= THRESHOLD
        found.append(Comment(text=text, month=month.strftime("%Y-%m") if shown else ""))
    found.sort(key=lambda c: c.text)
    found.sort(key=lambda c: c.month, reverse=True)  # newest month first; "" (no month) last
    return found


def reason_counts(responses: QuerySet[SurveyResponse], kind: str = Kind.SELECTION) -> dict | None:
    """How often each good point and improvement was chosen; None under THRESHOLD answers."""
    if responses.count() < THRESHOLD:
        return None
    good, better = choices_for(kind)
    counts: dict[str, defaultdict[str, int]] = {"good": defaultdict(int), "better": defaultdict(int)}
    for chosen_good, chosen_better in responses.values_list("good_points", "improvements"):
        for key in chosen_good or []:
            counts["good"][key] += 1
        for key in chosen_better or []:
            counts["better"][key] += 1
    return {
        "good": [(label, counts["good"][key]) for key, label in good.items()],
        "better": [(label, counts["better"][key]) for key, label in better.items()],
    }


# --- Did switching templates help? ------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    before_label: str
    after_label: str
    before: Nps
    after: Nps
    months: list[str]

    @property
    def shown(self) -> bool:
        return self.before.responses >= THRESHOLD and self.after.responses >= THRESHOLD

    @property
    def rows(self) -> list[tuple[str, Nps]]:
        return [(self.before_label, self.before), (self.after_label, self.after)]

    @property
    def difference(self):
        return difference(self.before, self.after) if self.shown else None


def templates_used(organisation: Organisation):
    """(template id, name, first use) of the templates the company's surveyed messages used."""
    return list(
        SurveyInvitation.objects.filter(organisation=organisation, kind=Kind.SELECTION, template__isnull=False)
        .values("template_id")
        .annotate(name=Max("template_name"), first_used=Min("created_at"))
        .order_by("first_used")
    )


def before_and_after(organisation: Organisation, template_id: int) -> Comparison | None:
    """Answers to messages sent before the template's first use (with whatever template) against
    answers to the messages that used it."""
    used = {t["template_id"]: t for t in templates_used(organisation)}
    if template_id not in used:
        return None
    first_used = used[template_id]["first_used"]
    responses = responses_for(organisation)
    before = responses.filter(invitation__created_at__lt=first_used)
    after = responses.filter(invitation__template_id=template_id)
    return Comparison(
        before_label=str(_("使い始める前")),
        after_label=used[template_id]["name"],
        before=overall(before),
        after=overall(after),
        months=[month_of(first_used).strftime("%Y-%m")],
    )


def template_against_template(organisation: Organisation, a: int, b: int) -> Comparison | None:
    """Template A against template B over the months in which both were used, so that a season
    (a hiring rush, 年末年始) weighs on both alike."""
    used = {t["template_id"]: t for t in templates_used(organisation)}
    if a not in used or b not in used or a == b:
        return None
    invitations = SurveyInvitation.objects.filter(organisation=organisation, kind=Kind.SELECTION)
    months_a = set(invitations.filter(template_id=a).values_list("sent_month", flat=True))
    months_b = set(invitations.filter(template_id=b).values_list("sent_month", flat=True))
    months = sorted(months_a & months_b)
    responses = responses_for(organisation).filter(invitation__sent_month__in=months)
    return Comparison(
        before_label=used[a]["name"],
        after_label=used[b]["name"],
        before=overall(responses.filter(invitation__template_id=a)),
        after=overall(responses.filter(invitation__template_id=b)),
        months=[m.strftime("%Y-%m") for m in months],
    )
