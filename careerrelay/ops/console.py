"""The figures of the operator console's overview page (/operator/console/): the platform's funnel,
the agencies' activity, the credits outstanding and the review queues.

Everything here is an aggregate: counts, sums, rates and medians, grouped by day, week, month or
agency. No function returns a person, so the page that shows them writes no audit event.

The funnel's numbers come from one function, `platform_funnel_counts`, which counts the raw tables
by day; `platform_funnel` groups those days into weeks or months. When a daily aggregate table
exists, `platform_funnel_counts` is the one place to read it instead.

Days, weeks and months are Asia/Tokyo's: a week starts on Monday at 00:00 JST.
"""

from __future__ import annotations

import itertools
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Exists, Min, OuterRef, Q, Sum
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from careerrelay.agencies.models import AgencyProfile
from careerrelay.audit.models import AuditEvent
from careerrelay.candidates.models import Candidate
from careerrelay.credits.models import LedgerEntry
from careerrelay.followups.models import FollowupDelivery
from careerrelay.matching.models import Introduction, IntroductionEvent
from careerrelay.organisations.models import Organisation
from careerrelay.outbox.models import OutboundEmail
from careerrelay.privacy.models import ProvisionRecord
from careerrelay.relay.models import RelayCampaign
from careerrelay.relay.services import flush_views

TOKYO = ZoneInfo("Asia/Tokyo")
DEFAULT_WEEKS = 12
# Raw-table counts over a longer range would make the page slow; the aggregates are for that.
MAX_PERIOD_DAYS = 731
# Dates outside these hold no figures, and the arithmetic near date.max (the day after the
# period, the next month) would overflow.
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2099, 12, 31)

# What one free referral is worth: the agency fee it saves, 35% of a 5,000,000-yen annual salary.
# The one place this default lives, until each company has its own fee setting.
DEFAULT_FEE_RATE_PERCENT = 35
DEFAULT_ANNUAL_SALARY_YEN = 5_000_000


def credit_value_yen(organisation_id: int | None = None) -> int:
    """What one credit of this company is worth (the same for every company, for now)."""
    return DEFAULT_ANNUAL_SALARY_YEN * DEFAULT_FEE_RATE_PERCENT // 100


# --- The period ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Days `first` to `last`, both included, in Asia/Tokyo."""

    first: date
    last: date

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time.min, tzinfo=TOKYO)

    @property
    def end(self) -> datetime:  # exclusive
        return datetime.combine(self.last + timedelta(days=1), time.min, tzinfo=TOKYO)

    def days(self) -> int:
        return (self.last - self.first).days + 1


def today_in_tokyo(now: datetime | None = None) -> date:
    return (now or datetime.now(TOKYO)).astimezone(TOKYO).date()


def default_period(today: date | None = None) -> Period:
    """The last 12 weeks: this week (Monday to today) and the 11 whole weeks before it."""
    today = today or today_in_tokyo()
    monday = today - timedelta(days=today.weekday())
    return Period(first=monday - timedelta(weeks=DEFAULT_WEEKS - 1), last=today)


def bucket_start(day: date, interval: str) -> date:
    if interval == "month":
        return day.replace(day=1)
    return day - timedelta(days=day.weekday())


def bucket_starts(period: Period, interval: str) -> list[date]:
    starts, day = [], bucket_start(period.first, interval)
    while day <= period.last:
        starts.append(day)
        day = (day.replace(day=28) + timedelta(days=4)).replace(day=1) if interval == "month" else day + timedelta(7)
    return starts


# --- The platform's funnel ----------------------------------------------------------------------


@dataclass(frozen=True)
class FunnelStep:
    key: str
    label: str | Promise
    help: str | Promise


# In the funnel's order. Landing views have no dated record (the relay link keeps a running
# counter per campaign, RelayCampaign.landing_views), so they are shown as a total to date only.
FUNNEL_STEPS = (
    FunnelStep(
        "sent",
        _("不採用メール送信"),
        _("一括送信で期間内に送信された不採用メール(送信日時)。フォローアップのメールは含みません"),
    ),
    FunnelStep(
        "clicked", _("リレーリンクのクリック"), _("上のメールのリレーリンクが初めてクリックされた日時で数えた通数")
    ),
    FunnelStep(
        "started",
        _("登録開始"),
        _("リレーリンクから登録フォームを送った人(登録日時)。確認されずに削除された登録は含みません"),
    ),
    FunnelStep("confirmed", _("メール確認済み"), _("リレーリンクから登録し、メールアドレスを確認した人(確認日時)")),
    FunnelStep("counted", _("紹介カウント"), _("企業の紹介として数えられた登録(台帳の「紹介カウント」)")),
    FunnelStep("credits_earned", _("無料紹介枠の付与"), _("企業に付与された無料紹介枠(台帳の「付与」)")),
    FunnelStep("credits_used", _("無料紹介枠の消化"), _("面接が確定して消化された無料紹介枠(台帳の「消化」)")),
    FunnelStep("interviews", _("面接実施"), _("紹介の状況が「面接済み」になった件数(紹介の経過の日時)")),
)


def _daily(queryset, field_name: str, period: Period, *, total=None) -> dict[date, int]:
    """{day: n} of the rows whose `field_name` falls in the period (one grouped range query)."""
    rows = (
        queryset.filter(**{f"{field_name}__gte": period.start, f"{field_name}__lt": period.end})
        .annotate(day=TruncDate(field_name, tzinfo=TOKYO))
        .values("day")
        .annotate(n=total or Count("pk"))
        .order_by()
    )
    return {row["day"]: row["n"] or 0 for row in rows}


def platform_funnel_counts(period: Period) -> dict[str, dict[date, int]]:
    """The funnel's raw counts, {step key: {day: n}}, for the days of the period (Asia/Tokyo).

    The single source of the console's funnel: each step is one range query on the table that
    records it, grouped by day."""
    ledger = LedgerEntry.objects.all()
    from_relay = Candidate.objects.filter(source_campaign__isnull=False)
    # Messages of bulk sends, less the follow-up mails (sent as sends too, but not rejections).
    followup = FollowupDelivery.objects.filter(outbound_email=OuterRef("pk"))
    bulk_mail = OutboundEmail.objects.filter(send__isnull=False).exclude(Exists(followup))
    return {
        "sent": _daily(bulk_mail, "sent_at", period),
        "clicked": _daily(bulk_mail, "first_clicked_at", period),
        "started": _daily(from_relay, "created_at", period),
        "confirmed": _daily(from_relay, "verified_at", period),
        "counted": _daily(ledger.filter(kind=LedgerEntry.Kind.REFERRAL_COUNTED), "created_at", period),
        "credits_earned": _daily(
            ledger.filter(kind=LedgerEntry.Kind.CREDIT_GRANTED), "created_at", period, total=Sum("amount")
        ),
        "credits_used": _daily(ledger.filter(kind=LedgerEntry.Kind.CREDIT_CONSUMED), "created_at", period),
        "interviews": _daily(
            IntroductionEvent.objects.filter(stage=Introduction.Stage.INTERVIEWED), "created_at", period
        ),
    }


@dataclass
class FunnelRow:
    start: date
    counts: dict[str, int]

    @property
    def cells(self) -> list[int]:
        return [self.counts[step.key] for step in FUNNEL_STEPS]


@dataclass
class Funnel:
    interval: str
    rows: list[FunnelRow]
    totals: dict[str, int]
    landing_views_to_date: int

    @property
    def total_cells(self) -> list[int]:
        return [self.totals[step.key] for step in FUNNEL_STEPS]

    @property
    def conversions(self) -> list[tuple[FunnelStep, FunnelStep, float | None]]:
        """Each step's total as a percentage of the step before it (None when that one is 0)."""
        pairs = itertools.pairwise(FUNNEL_STEPS)
        shares = [(a, b, _share(self.totals[b.key], self.totals[a.key])) for a, b in pairs]
        return [(a, b, None if share is None else share * 100) for a, b, share in shares]


def platform_funnel(period: Period, interval: str = "week") -> Funnel:
    """The funnel per week (or month) of the period, with its totals."""
    daily = platform_funnel_counts(period)
    starts = bucket_starts(period, interval)
    rows = {start: FunnelRow(start, dict.fromkeys(daily, 0)) for start in starts}
    for key, days in daily.items():
        for day, n in days.items():
            rows[bucket_start(day, interval)].counts[key] += n
    totals = {key: sum(days.values()) for key, days in daily.items()}
    flush_views()  # views counted but not yet added (Redis; web processes' buffers trail by ≤ 1 s)
    landing_views = RelayCampaign.objects.aggregate(n=Sum("landing_views"))["n"] or 0
    return Funnel(interval=interval, rows=list(rows.values()), totals=totals, landing_views_to_date=landing_views)


# --- Agencies' activity -------------------------------------------------------------------------


@dataclass
class AgencyActivity:
    organisation_id: int
    name: str
    state: str
    searches: int = 0
    profiles_opened: int = 0
    introductions: int = 0
    answered: int = 0
    accepted: int = 0
    first_contact_hours: list[float] = field(default_factory=list)

    @property
    def acceptance_rate(self) -> float | None:
        return _share(self.accepted, self.answered)

    @property
    def acceptance_percent(self) -> float | None:
        return None if self.acceptance_rate is None else self.acceptance_rate * 100

    @property
    def median_hours_to_first_contact(self) -> float | None:
        return statistics.median(self.first_contact_hours) if self.first_contact_hours else None

    @property
    def has_activity(self) -> bool:
        return bool(self.searches or self.profiles_opened or self.introductions)


# Opening a profile or résumé on a page or through the API; not what an accepted introduction sends.
OPENED = (ProvisionRecord.Channel.PAGE, ProvisionRecord.Channel.API)


def agency_activity(period: Period) -> list[AgencyActivity]:
    """One row per agency for the period, most introductions first:

    - searches: candidate searches run (audit events of action `search`);
    - profiles opened: people whose profile or résumé the agency opened (provision records made
      on a page or through the API; one person opened twice counts once);
    - introductions: introductions the agency proposed; of those the candidate answered, the
      share accepted;
    - time to first contact: for each person the agency introduced for the first time in the
      period, the time from its first opening of that person's profile or résumé (its earliest
      provision record of them) to that first introduction. People it introduced without having
      opened them first are left out. The median, in hours.
    """
    agencies = {
        profile.organisation_id: AgencyActivity(profile.organisation_id, profile.organisation.name, profile.state)
        for profile in AgencyProfile.objects.select_related("organisation").only(
            "organisation_id", "state", "organisation__name"
        )
    }
    in_period = {"created_at__gte": period.start, "created_at__lt": period.end}

    searches = (
        AuditEvent.objects.filter(action=AuditEvent.Action.SEARCH, object_type="candidate_search", **in_period)
        .values("organisation_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in searches:
        if row["organisation_id"] in agencies:
            agencies[row["organisation_id"]].searches = row["n"]

    opened = (
        ProvisionRecord.objects.filter(channel__in=OPENED, recipient_organisation_id__in=agencies, **in_period)
        .values("recipient_organisation_id")
        .annotate(n=Count("subject_key", distinct=True))
        .order_by()
    )
    for row in opened:
        agencies[row["recipient_organisation_id"]].profiles_opened = row["n"]

    answered = Q(responded_at__isnull=False)
    introductions = (
        Introduction.objects.filter(agency_id__in=agencies, **in_period)
        .values("agency_id")
        .annotate(
            n=Count("pk"),
            answered=Count("pk", filter=answered),
            accepted=Count("pk", filter=answered & ~Q(stage=Introduction.Stage.DECLINED)),
        )
        .order_by()
    )
    for row in introductions:
        activity = agencies[row["agency_id"]]
        activity.introductions, activity.answered, activity.accepted = row["n"], row["answered"], row["accepted"]

    for agency_id, hours in _hours_to_first_contact(period, agencies).items():
        agencies[agency_id].first_contact_hours = hours

    return sorted(agencies.values(), key=lambda a: (-a.introductions, -a.profiles_opened, -a.searches, a.name))


def _hours_to_first_contact(period: Period, agency_ids) -> dict[int, list[float]]:
    introduced_in_period = Introduction.objects.filter(created_at__gte=period.start, created_at__lt=period.end)
    first_introductions = (
        Introduction.objects.filter(
            agency_id__in=agency_ids, candidate_id__in=introduced_in_period.values("candidate_id")
        )
        .values("agency_id", "candidate_id")
        .annotate(first=Min("created_at"))
        .filter(first__gte=period.start, first__lt=period.end)
        .order_by()
    )
    firsts = {(row["agency_id"], row["candidate_id"]): row["first"] for row in first_introductions}
    if not firsts:
        return {}
    first_opened = (
        ProvisionRecord.objects.filter(
            channel__in=OPENED,
            recipient_organisation_id__in={agency for agency, _ in firsts},
            candidate_id__in={candidate for _, candidate in firsts},
        )
        .values("recipient_organisation_id", "candidate_id")
        .annotate(first=Min("created_at"))
        .order_by()
    )
    hours = defaultdict(list)
    for row in first_opened:
        pair = (row["recipient_organisation_id"], row["candidate_id"])
        introduced = firsts.get(pair)
        if introduced is not None and row["first"] <= introduced:
            hours[pair[0]].append((introduced - row["first"]).total_seconds() / 3600)
    return hours


# --- Credits ------------------------------------------------------------------------------------


@dataclass
class Credits:
    available: int
    held: int
    employers: int

    @property
    def outstanding(self) -> int:
        return self.available + self.held


def credits_outstanding() -> tuple[Credits, int]:
    """The credits employers still hold, and what they are worth in yen.

    Outstanding = granted + operators' adjustments − consumed: those free to use (`available`,
    the ledger's balance) and those reserved for an open free-referral request (`held`: reserved,
    not yet consumed or returned). A returned credit is available again, so it stays outstanding."""
    kinds = LedgerEntry.Kind
    per_company = (
        LedgerEntry.objects.values("organisation_id")
        .annotate(
            available=Sum("amount", filter=Q(kind__in=LedgerEntry.CREDIT_KINDS)),
            reserved=Count("pk", filter=Q(kind=kinds.CREDIT_RESERVED)),
            settled=Count("pk", filter=Q(kind__in=[kinds.CREDIT_CONSUMED, kinds.CREDIT_RETURNED])),
        )
        .order_by()
    )
    available = held = employers = value = 0
    for row in per_company:
        company_available, company_held = row["available"] or 0, row["reserved"] - row["settled"]
        available += company_available
        held += company_held
        if company_available + company_held > 0:
            employers += 1
            value += (company_available + company_held) * credit_value_yen(row["organisation_id"])
    return Credits(available=available, held=held, employers=employers), value


# --- Review queues ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewQueue:
    label: str | Promise
    help: str | Promise
    size: int
    url: str


def review_queues() -> list[ReviewQueue]:
    """What waits for an operator, each with the admin list filtered to exactly those rows (the
    count uses the same filter as the link)."""

    def queue(label, help_text, queryset, admin_url, query):
        return ReviewQueue(label, help_text, queryset.count(), f"{reverse(admin_url)}?{query}")

    return [
        queue(
            _("承認待ちの採用企業"),
            _("審査状況が「審査中」の採用企業。承認されるまでメールを送れません"),
            Organisation.objects.filter(kind=Organisation.Kind.EMPLOYER, status=Organisation.Status.PENDING),
            "admin:organisations_organisation_changelist",
            "kind__exact=employer&status__exact=pending",
        ),
        queue(
            _("承認待ちの人材紹介会社"),
            _("許可番号の確認を待つ人材紹介会社"),
            AgencyProfile.objects.filter(state=AgencyProfile.State.PENDING),
            "admin:agencies_agencyprofile_changelist",
            "state__exact=pending",
        ),
        queue(
            _("不正審査で保留中の登録"),
            _("紹介カウントの前に運営の確認を待つ登録"),
            Candidate.objects.filter(held_for_review=True),
            "admin:candidates_candidate_changelist",
            "held_for_review__exact=1",
        ),
        queue(
            _("送信に失敗したメール"),
            _("恒久的なエラー、または再試行の上限で「送信失敗」になったメール"),
            OutboundEmail.objects.filter(state=OutboundEmail.State.FAILED),
            "admin:mailings_outboundemail_changelist",
            "state__exact=failed",
        ),
    ]


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None
