"""Where employer mail may point: the link policy that keeps CareerRelay from
being an open mail relay for phishing links.

Mail that CareerRelay sends in a company's name may link to, and load images from, only
CareerRelay itself (the relay and unsubscribe links), the company's verified domains (its work
domain, confirmed by the operator at approval, and domains the operator adds) and the short
platform-wide allow-list the operator keeps (LinkDomain rows without an organisation).

Templates are plain text, but mail clients turn a written-out address into a live link, so every
address counts, wherever it is written. The policy is checked when a template is saved (an error
on the field, naming the address) and applied again when a message is rendered: an address
outside the policy is replaced by a notice, and the HTML is passed through nh3 with the same rule
for every href and src, so a template written before the policy, or put into the database
directly, still cannot carry one.
"""

import re
from urllib.parse import urlsplit

import nh3
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import DomainNameValidator
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from careerrelay.organisations.models import LinkDomain

# Anything a mail client may turn into a link: scheme://…, protocol-relative //…, www.…, and a
# bare domain with a common top-level domain ("evil.com/x", as Gmail links it; not the domain
# of an email address). An address ends at white space, quotes, angle brackets or Japanese
# punctuation.
_STOP = r"\s<>\"'`\u3000-\u303f\u30fb\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"
_TLDS = (
    "com|net|org|info|biz|io|co|jp|me|app|dev|xyz|site|online|top|club|shop|link|click|page|ly|to|gl|gd"
    "|ru|cn|us|uk|de|fr|asia|tokyo|work|jobs|ai|tv|cc|ws"
)
URL_RE = re.compile(
    rf"(?:\b[a-z][a-z0-9+.\-]*:)?//[^{_STOP}]+"
    rf"|\bwww\.[^{_STOP}]+"
    rf"|(?<![@a-z0-9_.\-])(?:[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?\.)+(?:{_TLDS})(?![a-z0-9_@\-])(?:/[^{_STOP}]*)?",
    re.I,
)
_TRAILING = ".,;:!?)]}"

_domain_validator = DomainNameValidator(accept_idna=True, message=_("ドメイン名の形式が正しくありません。"))


def clean_domain(value: str) -> str:
    """ "https://WWW.Example.co.jp/path" → "www.example.co.jp"; IDN in its xn-- form."""
    value = (value or "").strip().lower()
    if "//" in value:
        value = urlsplit(value if "://" in value else "http:" + value).hostname or ""
    value = value.split("/", 1)[0].rstrip(".")
    try:
        value = value.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValidationError(_("ドメイン名の形式が正しくありません。")) from None
    _domain_validator(value)
    return value


def host_of(url: str) -> str:
    """The host an address points at, lower case, IDN as xn--; "" when there is none."""
    if "//" not in url:
        url = "//" + url  # www.… or a bare domain
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    try:
        return host.rstrip(".").encode("idna").decode("ascii")
    except UnicodeError:
        return host


def platform_host() -> str:
    return host_of(settings.SITE_URL)


class LinkPolicy:
    """The hosts one company's mail may point at. CareerRelay's own host and `extra_hosts` (the
    hosts of the relay and unsubscribe links a message carries) are allowed without asking the
    database; the company's verified domains and the allow-list are read once, when first needed."""

    def __init__(self, organisation=None, extra_hosts=()):
        self.organisation = organisation
        self.own = frozenset({platform_host(), *extra_hosts} - {""})
        self._domains = None

    @property
    def domains(self) -> frozenset[str]:
        """The verified and allowed domains (not CareerRelay's own host)."""
        if self._domains is None:
            scope = Q(organisation__isnull=True)
            if self.organisation is not None and self.organisation.pk is not None:
                scope |= Q(organisation=self.organisation)
            self._domains = frozenset(LinkDomain.objects.filter(scope).values_list("domain", flat=True))
        return self._domains

    def allows(self, url: str) -> bool:
        host = host_of(url)
        if not host:
            return False
        if host in self.own:
            return True
        return any(host == d or host.endswith("." + d) for d in self.domains)


def find_urls(text: str) -> list[str]:
    return [m.group(0).rstrip(_TRAILING) for m in URL_RE.finditer(text or "")]


def disallowed_urls(text: str, policy: LinkPolicy) -> list[str]:
    return list(dict.fromkeys(u for u in find_urls(text) if not policy.allows(u)))


def link_errors(text: str, policy: LinkPolicy) -> list[str]:
    """One message per address outside the policy, naming it."""
    return [
        str(
            _(
                "「%(url)s」へのリンクは使えません。リンクできるのはキャリアリレーのリンクと、"
                "運営が確認した貴社のドメイン(%(domains)s)だけです。"
            )
        )
        % {"url": url, "domains": ", ".join(sorted(policy.domains)) or "-"}
        for url in disallowed_urls(text, policy)
    ]


def neutralise(text: str, policy: LinkPolicy) -> str:
    """Every address outside the policy replaced by a notice."""

    def replace(match):
        url = match.group(0)
        kept = url.rstrip(_TRAILING)
        if policy.allows(kept):
            return url
        return gettext("［リンク削除］") + url[len(kept) :]

    return URL_RE.sub(replace, text or "")


def sanitise_html(html: str, policy: LinkPolicy) -> str:
    """The HTML of a message body: the tags body_to_html makes, and only links and images the
    policy allows."""

    def keep(tag, attribute, value):
        if attribute in ("href", "src"):
            return value if policy.allows(value) else None
        return value

    return nh3.clean(
        html,
        tags={"p", "br", "ul", "ol", "li", "a", "strong", "em", "b", "i", "span", "img"},
        attributes={"*": {"style"}, "a": {"href"}, "img": {"src", "alt", "width", "height"}},
        attribute_filter=keep,
        url_schemes={"http", "https"},
        link_rel=None,
    )
