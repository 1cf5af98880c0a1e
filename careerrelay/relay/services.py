import secrets
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, F

from careerrelay.credits.models import LedgerEntry
from careerrelay.organisations.models import Organisation
from careerrelay.relay.models import RelayCampaign


def new_campaign_code() -> str:
    return secrets.token_urlsafe(9)  # 72 random bits, 12 URL-safe characters


def create_campaign(*, organisation, name: str, is_default: bool = False) -> RelayCampaign:
    return RelayCampaign.objects.create(
        organisation=organisation, name=name, code=new_campaign_code(), is_default=is_default
    )


def update_campaign(campaign: RelayCampaign, *, name: str, is_active: bool) -> RelayCampaign:
    campaign.name = name
    campaign.is_active = is_active
    campaign.save(update_fields=["name", "is_active"])
    return campaign


def find_campaign(code: str) -> RelayCampaign | None:
    return RelayCampaign.objects.select_related("organisation").filter(code=code).first()


def open_campaign(code: str) -> RelayCampaign | None:
    """The campaign behind an open relay link, with its landing-page view counted, or None (and
    nothing counted) for an unknown or disabled link or a deactivated employer.

    One UPDATE ... RETURNING does what find_campaign() and record_landing_view() do in two
    statements: the landing page is the busiest page, and its database round trips and the ORM
    work around them were most of its time under load (bench/RESULTS.md). The counter stays
    exact: the increment is atomic in the database, as before."""
    campaigns, organisations = RelayCampaign._meta.db_table, Organisation._meta.db_table
    sql = (
        f"UPDATE {campaigns} SET landing_views = landing_views + 1"  # noqa: S608 (only our table names)
        f" WHERE code = %s AND is_active"
        f" AND organisation_id IN (SELECT id FROM {organisations} WHERE is_active)"
        f" RETURNING *, (SELECT name FROM {organisations} WHERE id = {campaigns}.organisation_id)"
        f" AS organisation_name"
    )
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # A page view need not wait for the disk: on a busy server the WAL flush was most of the
        # page's time (bench/RESULTS.md). set_config(..., true) lasts until this statement's own
        # commit, so nothing else commits asynchronously. The increment stays atomic and is never
        # lost or doubled; only a crash of PostgreSQL itself could drop the last moment's views.
        sql += ", set_config('synchronous_commit', 'off', true) AS commit_mode"
    campaign = next(iter(RelayCampaign.objects.raw(sql, [code])), None)
    if campaign is not None:
        # The page shows only the employer's name; other fields load if something asks for them.
        campaign.organisation = Organisation.from_db(
            campaign._state.db,
            ["id", "name", "is_active"],
            [campaign.organisation_id, campaign.organisation_name, True],
        )
    return campaign


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
    """Counts per campaign and in total, in two queries whatever the number of campaigns."""
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
