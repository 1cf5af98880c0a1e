import copy
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F

from careerrelay.common.replica import replica_reads
from careerrelay.credits.models import LedgerEntry
from careerrelay.relay import counting, lookup
from careerrelay.relay.figures import Figure, coarse
from careerrelay.relay.models import RelayCampaign

# What the landing page shows of the employer (organisations/brand.py for the brand).
LANDING_EMPLOYER_FIELDS = (
    "name",
    "is_active",
    "brand_colour",
    "brand_key",
    "logo_file",
    "logo_width",
    "logo_height",
)
LANDING_CAMPAIGN_FIELDS = ("code", "name", "is_default", "is_active", "message", "organisation")


def new_campaign_code() -> str:
    return secrets.token_urlsafe(9)  # 72 random bits, 12 URL-safe characters


@transaction.atomic
def create_campaign(*, organisation, name: str, is_default: bool = False) -> RelayCampaign:
    """A new active link; refused (TooManyCampaigns) when the company has MAX_ACTIVE_CAMPAIGNS
    active ones already: many links, each sent to few people, would name who registered."""
    if not can_activate_another(organisation, lock=True):
        raise TooManyCampaigns
    return RelayCampaign.objects.create(
        organisation=organisation, name=name, code=new_campaign_code(), is_default=is_default
    )


@transaction.atomic
def update_campaign(
    campaign: RelayCampaign, *, name: str, is_active: bool, message: str | None = None
) -> RelayCampaign:
    """Renames, disables or re-activates, and sets the message on its page (None: unchanged);
    re-activating counts against MAX_ACTIVE_CAMPAIGNS."""
    if is_active and not campaign.is_active and not can_activate_another(campaign.organisation_id, lock=True):
        raise TooManyCampaigns
    campaign.name = name
    campaign.is_active = is_active
    if message is not None:
        campaign.message = message
    campaign.save(update_fields=["name", "is_active", "message"])
    return campaign


def find_campaign(code: str) -> RelayCampaign | None:
    return RelayCampaign.objects.select_related("organisation").filter(code=code).first()


def open_campaign(code: str) -> RelayCampaign | None:
    """The campaign behind an open relay link, with its landing-page view counted, or None (and
    nothing counted) for an unknown or disabled link or a deactivated employer.

    No database round trip on most views (they were most of the page's time under load,
    bench/RESULTS.md): the lookup is kept per process until a campaign or an employer changes
    (relay/lookup.py), and the view is counted in Redis or an in-process buffer that is added to
    the table within about a second (relay/counting.py). The count stays exact."""
    campaign = lookup.open_and_count(code, _load_open_campaign)
    if campaign is None:
        return None
    return copy.copy(campaign)  # the kept one stays as it was loaded


def find_open_campaign(code: str) -> RelayCampaign | None:
    """The campaign behind an open relay link, as open_campaign() finds it, without counting a view:
    a registration POST. From the same per-process lookup, so a disabled link or a deactivated
    employer refuses registrations from the next request, as its page does."""
    campaign = lookup.open_and_count(code, _load_open_campaign, count=False)
    if campaign is None:
        return None
    return copy.copy(campaign)


def _load_open_campaign(code: str) -> RelayCampaign | None:
    # The page shows only the employer's name and brand; other fields load if something asks for them.
    return (
        RelayCampaign.objects.select_related("organisation")
        .only(*LANDING_CAMPAIGN_FIELDS, *(f"organisation__{name}" for name in LANDING_EMPLOYER_FIELDS))
        .filter(code=code, is_active=True, organisation__is_active=True)
        .first()
    )


def landing_lookup_changed() -> None:
    """A campaign or an employer changed in a way signals do not see (a queryset update)."""
    lookup.changed()


def flush_views() -> int:
    """Adds the landing-page views counted but not yet in RelayCampaign.landing_views."""
    return counting.flush_views()


def record_landing_view(campaign: RelayCampaign) -> None:
    RelayCampaign.objects.filter(pk=campaign.pk).update(landing_views=F("landing_views") + 1)


def record_registration(campaign_id: int) -> None:
    RelayCampaign.objects.filter(pk=campaign_id).update(registrations=F("registrations") + 1)


def move_registration(from_campaign_id: int | None, to_campaign_id: int) -> None:
    """An unconfirmed registration was submitted again through another link: it counts once, for
    the link the person used last (candidates.services.register_candidate)."""
    if from_campaign_id is not None:
        RelayCampaign.objects.filter(pk=from_campaign_id, registrations__gt=0).update(
            registrations=F("registrations") - 1
        )
    record_registration(to_campaign_id)


def record_verification(campaign_id: int) -> None:
    RelayCampaign.objects.filter(pk=campaign_id).update(verified=F("verified") + 1)


@dataclass
class CampaignStats:
    campaign: RelayCampaign | None
    landing_views: int = 0
    registrations: int = 0
    verified: int = 0
    counted_referrals: int = 0


@dataclass
class Funnel:
    rows: list[CampaignStats] = field(default_factory=list)
    total: CampaignStats = field(default_factory=lambda: CampaignStats(campaign=None))


def get_funnel(organisation) -> Funnel:
    """Exact counts per campaign and in total, in two queries whatever the number of campaigns.
    For operators and internal checks only: an employer sees employer_funnel()."""
    counting.flush_views()  # the views counted but not yet added (this process's, and Redis's)
    campaigns = list(RelayCampaign.objects.filter(organisation=organisation))
    counted = dict(
        LedgerEntry.objects.filter(organisation=organisation, kind=LedgerEntry.Kind.REFERRAL_COUNTED)
        .values_list("campaign_id")
        .annotate(n=Count("id"))
        .values_list("campaign_id", "n")
    )
    funnel = Funnel()
    for campaign in campaigns:
        row = CampaignStats(
            campaign=campaign,
            landing_views=campaign.landing_views,
            registrations=campaign.registrations,
            verified=campaign.verified,
            counted_referrals=counted.get(campaign.pk, 0),
        )
        funnel.rows.append(row)
        for name in ("landing_views", "registrations", "verified", "counted_referrals"):
            setattr(funnel.total, name, getattr(funnel.total, name) + getattr(row, name))
    return funnel


FIGURES = ("landing_views", "registrations", "verified", "counted_referrals")


@dataclass
class EmployerCampaignStats:
    """One link's figures as its employer sees them: coarse (relay.figures), never exact."""

    campaign: RelayCampaign
    landing_views: Figure
    registrations: Figure
    verified: Figure
    counted_referrals: Figure

    def as_api(self) -> dict:
        return {name: getattr(self, name).as_api() for name in FIGURES}


@dataclass
class EmployerFunnel:
    rows: list[EmployerCampaignStats]
    total: CampaignStats  # the whole company: exact and live (credits are granted on it)


def employer_funnel(organisation) -> EmployerFunnel:
    """What the employer sees: per-link figures coarse (below the threshold 「5未満」, above it a
    range of the threshold's width), the company's totals exact. See relay/figures.py for why."""
    # Figures, not money: they may trail the newest registration by the replica's lag.
    with replica_reads():
        funnel = get_funnel(organisation)
    rows = [
        EmployerCampaignStats(
            campaign=row.campaign,  # type: ignore[arg-type]  # only the total has no campaign
            **{name: coarse(getattr(row, name)) for name in FIGURES},
        )
        for row in funnel.rows
    ]
    return EmployerFunnel(rows=rows, total=funnel.total)


def employer_campaign_stats(campaign: RelayCampaign) -> EmployerCampaignStats:
    counting.flush_views()  # the views counted but not yet added (as get_funnel)
    campaign.refresh_from_db(fields=["landing_views"])
    counted = LedgerEntry.objects.filter(
        organisation_id=campaign.organisation_id, campaign=campaign, kind=LedgerEntry.Kind.REFERRAL_COUNTED
    ).count()
    exact = {
        "landing_views": campaign.landing_views,
        "registrations": campaign.registrations,
        "verified": campaign.verified,
        "counted_referrals": counted,
    }
    return EmployerCampaignStats(campaign=campaign, **{name: coarse(n) for name, n in exact.items()})


# --- The cap on active campaigns ----------------------------------------------------------------


class TooManyCampaigns(ValueError):
    """The company already has MAX_ACTIVE_CAMPAIGNS active links."""


def active_campaign_limit() -> int:
    return settings.MAX_ACTIVE_CAMPAIGNS


def can_activate_another(organisation, *, lock: bool = False) -> bool:
    """Whether one more active link is allowed. With `lock`, the company's campaigns are locked
    (call inside a transaction), so two requests at once cannot both take the last place."""
    campaigns = RelayCampaign.objects.filter(organisation=organisation)
    if lock:
        list(campaigns.select_for_update().values_list("pk", flat=True))
    return campaigns.filter(is_active=True).count() < active_campaign_limit()
