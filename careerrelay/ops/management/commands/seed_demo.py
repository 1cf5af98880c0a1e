"""Japanese demo data for `make run`. Running it again changes nothing.

Candidates go through the same path as the relay form (RegistrationForm, register_candidate)
and verify with a token, like clicking the emailed link (verify_email), so the counters and
the ledger come from the real referral rule. Their mails to made-up addresses are removed
before commit, so the development mailbox starts empty for the newcomer's own registration.
Their dates are then moved back, spread over the last eight weeks, as if they had come one by
one; the search index is built at the end, so the agency can search at once.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from careerrelay.accounts.models import User
from careerrelay.accounts.services import create_user
from careerrelay.agencies.services import create_agency
from careerrelay.audit.services import Actor, ActorKind
from careerrelay.candidates.forms import RegistrationForm
from careerrelay.candidates.models import Candidate, Consent, VerificationToken
from careerrelay.candidates.services import register_candidate, verify_email
from careerrelay.common import single_use
from careerrelay.credits.services import get_balance
from careerrelay.organisations.models import Membership, Organisation
from careerrelay.organisations.services import create_employer
from careerrelay.outbox.models import OutboundEmail
from careerrelay.relay.services import create_campaign, record_landing_view
from careerrelay.search.index import index_candidates
from careerrelay.talent import services as talent
from careerrelay.talent.jobs import create_job
from careerrelay.talent.models import Stage

PASSWORD = "demo-pass-2026"  # noqa: S105 - printed on purpose: demo accounts only, DEBUG only
OPERATOR_EMAIL = "operator@careerrelay.example"
DEMO_USER_AGENT = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) seed_demo"
# She signs in at /me/signin/ with the link from the development mailbox.
DEMO_CANDIDATE_EMAIL = "hanako.demo@example.jp"
# Her seat in the plan: the first employer's second link, its first registration.
DEMO_CANDIDATE_SEAT = (0, 1, 0)
DEMO_WEEKS = 8


@dataclass
class DemoCampaign:
    name: str
    counted: int  # verified registrations with agency-sharing consent: they count
    pending: int = 0  # registered, email not yet verified
    held: int = 0  # verified, but held for the operator's review
    extra_views: int = 0  # people who opened the page and left


@dataclass
class DemoEmployer:
    name: str
    slug: str
    admin: tuple[str, str]
    recruiter: tuple[str, str]
    campaigns: list[DemoCampaign] = field(default_factory=list)


EMPLOYERS = [
    DemoEmployer(
        name="株式会社さくらテック",
        slug="sakura-tech",
        admin=("admin@sakura-tech.example", "桜井 美咲"),
        recruiter=("recruiter@sakura-tech.example", "佐藤 健太"),
        # 23 counted: 2 credits, 3 towards the next (あと7名)
        campaigns=[
            DemoCampaign("標準リレーリンク", counted=15, pending=2, extra_views=41),
            DemoCampaign("エンジニア採用 2026", counted=8, pending=1, held=1, extra_views=17),
        ],
    ),
    DemoEmployer(
        name="山﨑物産株式会社",
        slug="yamasaki-bussan",
        admin=("admin@yamasaki-bussan.example", "山﨑 大輔"),
        recruiter=("recruiter@yamasaki-bussan.example", "中村 由美"),
        # 9 counted: あと1名
        campaigns=[DemoCampaign("標準リレーリンク", counted=9, pending=2, extra_views=23)],
    ),
    DemoEmployer(
        name="髙橋フーズ株式会社",
        slug="takahashi-foods",
        admin=("admin@takahashi-foods.example", "髙橋 恵"),
        recruiter=("recruiter@takahashi-foods.example", "小林 翔"),
        campaigns=[DemoCampaign("標準リレーリンク", counted=4, pending=1, extra_views=12)],
    ),
]


@dataclass
class DemoAgency:
    name: str
    licence_number: str
    admin: tuple[str, str]
    approved: bool


AGENCIES = [
    DemoAgency("株式会社ネクストキャリア", "13-ユ-300001", ("advisor@nextcareer.example", "森 優子"), approved=True),
    # Waiting for the operator's approval: what a new agency sees, and what the operator does.
    DemoAgency("みらい人材紹介株式会社", "27-ユ-300002", ("admin@mirai-jinzai.example", "石川 直樹"), approved=False),
]

FAMILY_NAMES = [
    ("髙橋", "タカハシ"),
    ("山﨑", "ヤマザキ"),
    ("佐藤", "サトウ"),
    ("鈴木", "スズキ"),
    ("田中", "タナカ"),
    ("伊藤", "イトウ"),
    ("渡辺", "ワタナベ"),
    ("中村", "ナカムラ"),
    ("小林", "コバヤシ"),
    ("加藤", "カトウ"),
    ("吉田", "ヨシダ"),
]
GIVEN_NAMES = [
    ("花子", "ハナコ"),
    ("翔太", "ショウタ"),
    ("美咲", "ミサキ"),
    ("大輝", "ダイキ"),
    ("陽菜", "ヒナ"),
    ("蓮", "レン"),
    ("結衣", "ユイ"),
    ("悠真", "ユウマ"),
    ("さくら", "サクラ"),
]
PROFILES = [
    ("engineer_software", "Python, Django, AWS", "Webサービスのバックエンド開発を担当してきました。"),
    # What the agency search's hint suggests trying: 「Java開発」.
    ("engineer_software", "Java, Spring Boot, PostgreSQL", "Javaでの業務システム開発を5年担当しました。"),
    ("sales", "法人営業, 提案書作成", "IT商材の法人営業を経験しました。"),
    ("marketing", "広告運用, Google Analytics", "EC事業のデジタルマーケティングを担当しました。"),
    ("admin", "経理, 簿記2級, Excel", "管理部門で経理と総務を担当しています。"),
    ("service", "接客, 店舗運営", "飲食店の店長として店舗運営を経験しました。"),
    ("manufacturing", "品質管理, QC検定2級", "食品工場で品質管理を担当しました。"),
]
PREFECTURES = ["13", "14", "27", "23", "40", "11", "01"]

# The first employer's past applicants: name, kana, job, skills, tags, reason kind, months since
# the rejection, agreed to be contacted again, an interviewer's note.
DEMO_POOL = [
    (
        "髙橋",
        "美咲",
        "タカハシ",
        "バックエンドエンジニア",
        ["Python", "Django", "AWS"],
        ["エンジニア候補"],
        "other_candidate",
        6,
        True,
        "設計の説明が論理的。最終面接で僅差。次の募集では優先して声をかけたい。",
    ),
    (
        "山﨑",
        "健太",
        "ヤマサキ",
        "バックエンドエンジニア",
        ["Go", "Kubernetes"],
        ["エンジニア候補"],
        "conditions",
        7,
        True,
        "希望年収が予算を上回った。リモート可の募集なら合う。",
    ),
    ("佐藤", "花子", "サトウ", "営業職", ["法人営業", "Salesforce"], ["営業候補"], "position_closed", 12, True, ""),
    (
        "鈴木",
        "一郎",
        "スズキ",
        "フロントエンドエンジニア",
        ["TypeScript", "React"],
        [],
        "skills_gap",
        14,
        True,
        "React の実務経験が半年。1年後なら十分な見込み。",
    ),
    ("田中", "優子", "タナカ", "人事", ["採用", "労務"], ["管理部門"], "declined", 3, False, ""),
    (
        "伊藤",
        "翔",
        "イトウ",
        "データアナリスト",
        ["SQL", "Python", "Tableau"],
        ["エンジニア候補"],
        "other_candidate",
        2,
        True,
        "",
    ),
    ("渡辺", "さくら", "ワタナベ", "カスタマーサクセス", ["Zendesk", "英語"], [], "culture", 9, False, ""),
    ("中村", "大輔", "ナカムラ", "バックエンドエンジニア", ["Ruby", "AWS"], [], "conditions", 1, True, ""),
]
DEMO_JOBS = [("バックエンドエンジニア（リモート可）", "Python, Go, AWS"), ("法人営業", "法人営業, Salesforce")]


class Command(BaseCommand):
    help = "Load Japanese demo data (employers, agencies, candidates, an operator). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off (never in production).")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo creates accounts with a published password; it runs only with DEBUG on.")
        self.created = 0
        with transaction.atomic():
            self._seed()
        self._print_banner()

    # --- seeding ---------------------------------------------------------------------------

    def _seed(self):
        operator = self._user(OPERATOR_EMAIL, "運営 担当", superuser=True)
        for spec in AGENCIES:
            self._agency(spec, operator)
        seeded_emails = []
        for number, employer in enumerate(EMPLOYERS):
            organisation = self._employer(employer)
            if number == 0:
                self._talent_pool(organisation, User.objects.get(email=employer.admin[0]))
            self.timeline = Timeline(sum(len(_plan(spec)) for spec in employer.campaigns))
            for index, spec in enumerate(employer.campaigns):
                campaign = self._campaign(organisation, spec, index)
                seeded_emails += self._candidates(employer, campaign, spec, index, number)
        # The candidates' verification and welcome mails would go to made-up addresses, and the
        # staff's notifications (credits earned while seeding) tell of no event anyone saw.
        OutboundEmail.objects.filter(to_email__in=seeded_emails).delete()
        OutboundEmail.objects.filter(template__startswith="notify_").delete()
        if self.created:
            # At once, not in the worker's own time: the agency searches right after `make run`.
            index_candidates()

    def _agency(self, spec: DemoAgency, operator):
        admin = self._user(*spec.admin)
        if not Membership.objects.filter(user=admin).exists():
            create_agency(
                name=spec.name,
                licence_number=spec.licence_number,
                address="東京都千代田区丸の内1-1-1",
                representative=spec.admin[1],
                admin=admin,
                approved_by=operator,
                approve=spec.approved,
            )
            self.created += 1

    def _user(self, email, name, *, superuser=False):
        user = User.objects.filter(email=email).first()
        if user is None:
            self.created += 2  # the user and their address
            return create_user(email, PASSWORD, name=name, email_verified=True, operator=superuser)
        _address, created = EmailAddress.objects.get_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        self.created += created
        return user

    def _employer(self, spec: DemoEmployer) -> Organisation:
        admin = self._user(*spec.admin)
        membership = Membership.objects.filter(user=admin).select_related("organisation").first()
        if membership is None:
            organisation = create_employer(name=spec.name, admin=admin)
            self.created += 1
        else:
            organisation = membership.organisation
        recruiter = self._user(*spec.recruiter)
        _membership, created = Membership.objects.get_or_create(
            organisation=organisation, user=recruiter, defaults={"role": Membership.Role.RECRUITER}
        )
        self.created += created
        return organisation

    def _talent_pool(self, organisation: Organisation, admin) -> None:
        """A small pool for the first employer: past applicants with skills, tags, reasons and an
        interviewer's note, and two open jobs, so the pool's search, the re-approach suggestions
        and the follow-up counts have something to show."""
        if talent.applicants_for(organisation).exists():
            return
        actor = Actor.for_user(admin, ActorKind.EMPLOYER)
        reasons = {reason.kind: reason for reason in talent.rejection_reasons_for(organisation)}
        today = timezone.localdate()
        for serial, (family, given, kana, job_title, skills, tags, kind, months, ok, note) in enumerate(DEMO_POOL):
            applicant = talent.create_applicant(
                organisation=organisation,
                data={
                    "family_name": family,
                    "given_name": given,
                    "family_name_kana": kana,
                    "email": f"pool{serial + 1:02d}@example.jp",
                    "job_title": job_title,
                    "stage": Stage.FINAL_INTERVIEW if serial % 3 == 0 else Stage.FIRST_INTERVIEW,
                    "reason": reasons[kind],
                    "rejected_on": today - timedelta(days=months * 30),
                    "skills": skills,
                    "tags": tags,
                    "years_experience": 2 + serial % 9,
                    "recontact_ok": ok,
                    "source": "デモデータ",
                },
                actor=actor,
            )
            if note:
                talent.add_note(applicant=applicant, body=note, actor=actor)
            self.created += 1
        for title, skills in DEMO_JOBS:
            create_job(organisation=organisation, actor=actor, data={"title": title, "skills": skills})
            self.created += 1

    def _campaign(self, organisation, spec: DemoCampaign, index: int):
        if index == 0:
            return organisation.campaigns.get(is_default=True)
        campaign = organisation.campaigns.filter(name=spec.name).first()
        if campaign is None:
            campaign = create_campaign(organisation=organisation, name=spec.name)
            self.created += 1
        return campaign

    def _candidates(self, employer: DemoEmployer, campaign, spec: DemoCampaign, index: int, number: int):
        emails = []
        plan = _plan(spec)
        new_people = 0
        for n, kind in enumerate(plan):
            when = self.timeline.next()
            # One mail domain per person: many registrations for one company from one private
            # domain are held for review (candidates.services.hold_reasons), as a farm would be.
            email = f"demo@{employer.slug}-{index + 1}-{n + 1:02d}.example.jp"
            if (number, index, n) == DEMO_CANDIDATE_SEAT:
                email = DEMO_CANDIDATE_EMAIL
            emails.append(email)
            if Candidate.objects.filter(email_normalized=email).exists():
                continue
            new_people += 1
            serial = number * 100 + index * 40 + n
            self._register(campaign, email, serial, kind, when)
        if new_people == len(plan):  # a first run for this link: people who only looked
            for _ in range(spec.extra_views):
                record_landing_view(campaign)
        return emails

    def _register(self, campaign, email, serial, kind, when):
        family, family_kana = FAMILY_NAMES[serial % len(FAMILY_NAMES)]
        given, given_kana = GIVEN_NAMES[serial % len(GIVEN_NAMES)]
        job, skills, summary = PROFILES[serial % len(PROFILES)]
        if email == DEMO_CANDIDATE_EMAIL:
            family, family_kana, given, given_kana = "髙橋", "タカハシ", "花子", "ハナコ"
            job, skills, summary = PROFILES[1]
        form = RegistrationForm(
            {
                "family_name": family,
                "given_name": given,
                "family_name_kana": family_kana,
                "given_name_kana": given_kana,
                "email": email,
                "phone": f"090-{2000 + serial // 10000:04d}-{serial % 10000:04d}" if serial % 3 == 0 else "",
                "prefecture": PREFECTURES[serial % len(PREFECTURES)],
                "job_category": job,
                "years_experience": str(1 + serial % 12),
                "skills": skills,
                "summary": summary,
                "consent_agency_sharing": "on",
                "consent_employer_recontact": "on" if serial % 2 else "",
            }
        )
        if not form.is_valid():
            raise CommandError(f"Demo candidate {email} is not valid: {form.errors.as_json()}")
        data = {k: v for k, v in form.cleaned_data.items() if not k.startswith("consent_")}
        consents = {Consent.Purpose.AGENCY_SHARING}
        if form.cleaned_data["consent_employer_recontact"]:
            consents.add(Consent.Purpose.EMPLOYER_RECONTACT)
        ip = f"198.51.100.{serial % 250 + 1}"
        record_landing_view(campaign)
        candidate = register_candidate(
            campaign=campaign, data=data, consents=consents, ip=ip, user_agent=DEMO_USER_AGENT
        ).candidate
        self.created += 1
        if kind == "pending":
            _move_back(candidate, when, verified=False)
            return
        if kind == "held":
            # As if an operator had flagged the registration before it was verified.
            Candidate.objects.filter(pk=candidate.pk).update(held_for_review=True)
        # The emailed link carries a token we cannot read back (only its hash is stored), so
        # issue one more, exactly as a re-send would, and use it like the button's POST.
        _row, token = single_use.issue(
            VerificationToken, lifetime=timedelta(hours=settings.VERIFICATION_TOKEN_HOURS), candidate=candidate
        )
        verify_email(token)
        _move_back(candidate, when, verified=True)

    # --- the banner ------------------------------------------------------------------------

    def _print_banner(self):
        site = settings.SITE_URL
        out = self.stdout.write
        out("")
        out("=" * 72)
        out("CareerRelay demo data " + ("loaded." if self.created else "already present; nothing changed."))
        out("=" * 72)
        out(f"Site:             {site}/")
        out(f"Employer login:   {site}{reverse('account_login')}")
        out(f"Operator console: {site}{reverse('admin:index')}  (first visit: set up an authenticator app)")
        out(f"Dev mailbox:      {site}/dev/mailbox/  (every email the app sends; DEBUG only, from this machine)")
        out(f"Password for every demo account: {PASSWORD}")
        out("")
        out(f"  {'operator (superuser)':<34} {OPERATOR_EMAIL}")
        for spec in EMPLOYERS:
            organisation = Membership.objects.select_related("organisation").get(user__email=spec.admin[0]).organisation
            balance = get_balance(organisation)
            default = organisation.campaigns.get(is_default=True)
            out("")
            out(
                f"  {spec.name}: {balance.counted_referrals} counted referrals, "
                f"{balance.credits_available} credit(s), next credit in {balance.referrals_to_next_credit}"
            )
            out(f"    {'admin':<32} {spec.admin[0]}")
            out(f"    {'recruiter':<32} {spec.recruiter[0]}")
            out(f"    {'relay link (try it on a phone)':<32} {default.url}")
        out("")
        for spec in AGENCIES:
            state = (
                "approved: try the search with 「Java開発」" if spec.approved else "waiting for the operator's approval"
            )
            out(f"  {spec.name} (agency, {state})")
            out(f"    {'admin':<32} {spec.admin[0]}")
            if spec.approved:
                out(f"    {'agency workspace':<32} {site}{reverse('agency:home')}")
        out("")
        out("  髙橋 花子 (candidate, a Java developer; no password: she signs in by an emailed link)")
        out(f"    {'email':<32} {DEMO_CANDIDATE_EMAIL}")
        out(f"    {'the link arrives in':<32} {site}/dev/mailbox/")
        out(f"    {'my page sign-in':<32} {site}{reverse('candidate:signin')}")
        out("=" * 72)


def _plan(spec: DemoCampaign) -> list[str]:
    return ["counted"] * spec.counted + ["held"] * spec.held + ["pending"] * spec.pending


class Timeline:
    """Evenly spaced moments over the last DEMO_WEEKS weeks, oldest first, for one employer."""

    def __init__(self, count: int):
        self.start = timezone.now() - timedelta(weeks=DEMO_WEEKS)
        self.step = timedelta(weeks=DEMO_WEEKS) / (count + 1)
        self.position = 0

    def next(self):
        self.position += 1
        return self.start + self.step * self.position


def _move_back(candidate: Candidate, when, *, verified: bool) -> None:
    """Date a just-seeded registration at `when` instead of now. The credit ledger keeps the real
    time: it is append-only (a database trigger refuses any UPDATE), as an audit trail must be."""
    confirmed = when + timedelta(minutes=7)  # the link clicked a few minutes later
    Candidate.objects.filter(pk=candidate.pk).update(
        created_at=when, profile_updated_at=when, verified_at=confirmed if verified else None
    )
    Consent.objects.filter(candidate=candidate).update(created_at=when)
    VerificationToken.objects.filter(candidate=candidate).update(created_at=when)
