"""GET /api/v1/me: who the key belongs to, its relay links and its counters (counts only): per link
coarse figures (below 5: null with below_threshold), for the whole company exact ones."""

from django.conf import settings
from ninja import Router, Schema
from pydantic import Field

from careerrelay.api.errors import AUTH_ERRORS
from careerrelay.credits.services import get_balance
from careerrelay.relay.services import employer_funnel
from careerrelay.sends import trust

router = Router(tags=["me"])


class CoarseFigure(Schema):
    """A per-link or per-send figure, never exact (docs/trust-and-safety.md, "The employer never learns who")."""

    value: int | None = Field(
        examples=[10],
        description="Rounded down to a multiple of the threshold (5 by default: 10 means 10–14); "
        "null below the threshold.",
    )
    below_threshold: bool = Field(
        examples=[False], description="True when the figure (or, for clicks, the rest of the send) is under 5."
    )


class LinkCounters(Schema):
    landing_views: CoarseFigure = Field(description="Views of the relay landing page.")
    registrations: CoarseFigure = Field(description="Registrations started through the link.")
    verified: CoarseFigure = Field(description="Registrations whose email address was verified.")
    counted_referrals: CoarseFigure = Field(description="Verified registrations counted as referrals.")


class Counters(Schema):
    """The whole company's figures: exact and live (credits are granted on them)."""

    landing_views: int = Field(examples=[120], description="Views of the relay landing pages.")
    registrations: int = Field(examples=[31], description="Registrations started through the links.")
    verified: int = Field(examples=[25], description="Registrations whose email address was verified.")
    counted_referrals: int = Field(examples=[23], description="Verified registrations counted as referrals.")
    credits_earned: int = Field(examples=[2], description="Free-referral credits granted so far.")
    credits_available: int = Field(examples=[2], description="Credits that can be used now.")
    referrals_to_next_credit: int = Field(
        examples=[7], description="Counted referrals still needed for the next credit."
    )


class RelayLinkOut(Schema):
    url: str = Field(examples=["https://careerrelay.example/r/3xWq9ZkLm0aB/"])
    code: str = Field(examples=["3xWq9ZkLm0aB"])
    name: str = Field(examples=["標準リレーリンク"])
    active: bool = Field(examples=[True])
    default: bool = Field(examples=[True], description="The link created with the company.")
    counters: LinkCounters


class SendingOut(Schema):
    status: str = Field(
        examples=["approved"],
        description="`pending` (awaiting the operators' approval: sends are refused with 403), `approved` "
        "or `rejected`.",
    )
    sender_name: str = Field(examples=["株式会社さくらテック"], description="The From display name, as approved.")
    reply_to: str = Field(examples=["saiyo@sakura-tech.example"], description="Where applicants' replies go.")
    daily_limit: int = Field(examples=[200], description="Recipients a day (Japan time); grows with a clean record.")
    used_today: int = Field(examples=[40])
    max_recipients_per_send: int = Field(examples=[1000])


class MeOut(Schema):
    name: str = Field(examples=["株式会社さくらテック"], description="The company's name.")
    relay_links: list[RelayLinkOut]
    counters: Counters
    sending: SendingOut


@router.get("/me", response={200: MeOut, **AUTH_ERRORS}, summary="The company behind the API key")
def me(request):
    organisation = request.organisation
    funnel = employer_funnel(organisation)
    balance = get_balance(organisation)
    links = [
        {
            "url": row.campaign.url,
            "code": row.campaign.code,
            "name": row.campaign.name,
            "active": row.campaign.is_active,
            "default": row.campaign.is_default,
            "counters": row.as_api(),
        }
        for row in funnel.rows
    ]
    total = funnel.total
    quota = trust.quota(organisation)
    return {
        "name": organisation.name,
        "sending": {
            "status": organisation.status,
            "sender_name": organisation.sender_name,
            "reply_to": organisation.reply_to_email,
            "daily_limit": quota.limit,
            "used_today": quota.used,
            "max_recipients_per_send": settings.MAIL_MAX_RECIPIENTS_PER_SEND,
        },
        "relay_links": links,
        "counters": {
            "landing_views": total.landing_views,
            "registrations": total.registrations,
            "verified": total.verified,
            "counted_referrals": balance.counted_referrals,
            "credits_earned": balance.credits_earned,
            "credits_available": balance.credits_available,
            "referrals_to_next_credit": balance.referrals_to_next_credit,
        },
    }
