"""Many follow-up messages from one template, rendered once.

render_rejection (substitution, link policy, HTML made from the body, sanitising, CSS inlining)
costs a few milliseconds a message; ten thousand due follow-ups would take most of a minute. So
the template is rendered once through render_rejection with stand-ins for what differs per
recipient (name, job title, the tokens of the relay and unsubscribe links), and each message is
that result with the stand-ins replaced: the same text as render_rejection's, which
tests/followups/test_rendering.py checks for awkward names.
"""

from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext

from careerrelay.rejections.links import URL_RE, LinkPolicy, neutralise, platform_host
from careerrelay.rejections.services import RenderedMessage, render_rejection

# Private-use characters: nothing in a template, escaping, sanitising or inlining touches them.
NAME = "\ue000name\ue000"
JOB_TITLE = "\ue000job\ue000"
# URL-safe, like the tokens they stand for, so they survive inside an href.
CLICK_TOKEN = "CRfollowupCLICKstandin"  # noqa: S105 -- a stand-in, not a secret
UNSUBSCRIBE_TOKEN = "CRfollowupUNSUBSCRIBEstandin"  # noqa: S105
SURVEY_TOKEN = "CRfollowupSURVEYstandin"  # noqa: S105


@dataclass(frozen=True)
class _StandIn:
    full_name: str = NAME
    job_title: str = JOB_TITLE


def _html_text(value: str) -> str:
    # What the HTML part holds for a value after the CSS inliner has serialised it again: in text,
    # only &, < and > stay escaped (quotes come back as they were).
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\xa0", "&nbsp;")
    return value.replace("\n", "<br>\n")


class BatchRenderer:
    def __init__(
        self,
        template,
        *,
        organisation,
        click_url,
        unsubscribe_url,
        openings_url: str = "",
        survey_url=None,
        sender_name: str = "",
        signature: str = "",
    ):
        """click_url and unsubscribe_url: functions from a token to the link (sends' own);
        survey_url likewise when the template carries {{survey_link}} (else its paragraphs go)."""
        self.organisation = organisation
        self.survey_stand_in = survey_url(SURVEY_TOKEN) if survey_url is not None else ""
        self.stand_in = render_rejection(
            template,
            applicant=_StandIn(),
            organisation=organisation,
            relay_url=click_url(CLICK_TOKEN),
            sender_name=sender_name,
            signature=signature,
            unsubscribe_url=unsubscribe_url(UNSUBSCRIBE_TOKEN),
            openings_url=openings_url,
            survey_url=self.survey_stand_in,
        )
        # Both links are on CareerRelay's own host, as in render_rejection's policy.
        self.policy = LinkPolicy(organisation, extra_hosts={platform_host()})
        self.language = template.language
        with translation.override(self.language):
            self.no_job_title = gettext("当社の募集職種")

    def _neutralise(self, value: str) -> str:
        if not URL_RE.search(value):
            return value  # nearly always; switching the language per message costs more than the rest
        with translation.override(self.language):  # the notice that replaces a link outside the policy
            return neutralise(value, self.policy)

    def render(
        self, *, name: str, job_title: str, click_token: str, unsubscribe_token: str, survey_url: str = ""
    ) -> RenderedMessage:
        name = self._neutralise(name)
        job_title = self._neutralise(job_title or self.no_job_title)

        def fill(source: str, name: str, job_title: str) -> str:
            if self.survey_stand_in:
                # Both URLs are made of URL-safe characters only, so no part escapes them.
                source = source.replace(self.survey_stand_in, survey_url)
            return (
                source.replace(NAME, name)
                .replace(JOB_TITLE, job_title)
                .replace(CLICK_TOKEN, click_token)
                .replace(UNSUBSCRIBE_TOKEN, unsubscribe_token)
            )

        return RenderedMessage(
            subject=" ".join(fill(self.stand_in.subject, name, job_title).split()),
            text=fill(self.stand_in.text, name, job_title),
            html=fill(self.stand_in.html, _html_text(name), _html_text(job_title)),
        )
