"""Which mailbox an address really reaches, and whether its domain is a public mailbox provider.

Two questions decide whether a registration is "new to CareerRelay" and whether a burst of
registrations looks like one person (DESIGN.md, the referral rule):

* ``canonical_mailbox()`` folds the spellings that reach the same inbox, so ``me+1@example.com``
  … ``me+10@example.com`` are one person, and so are ``m.e@gmail.com`` and ``me@googlemail.com``.
* ``is_public_mailbox()`` tells a free/carrier mailbox (gmail.com, docomo.ne.jp …), which
  thousands of unrelated people share, from a company or private domain, where many
  registrations in a short time point at one owner.

The provider lists are short on purpose and written down here, so that operators can read
exactly what is folded (the rule itself: docs/trust-and-safety.md).
"""

from careerrelay.common.japanese import normalize_email

# Providers that ignore dots in the local part, and domains that are aliases of one mailbox.
# Gmail documents both ("Dots don't matter in Gmail addresses"; googlemail.com is the same
# account). Other large providers (Yahoo! JAPAN, Outlook, iCloud) treat dots as significant.
DOT_INSENSITIVE_DOMAINS = frozenset({"gmail.com"})
DOMAIN_ALIASES = {"googlemail.com": "gmail.com"}

# "+tag" sub-addressing is folded for every domain: on the providers that support it
# (Gmail, Outlook, iCloud, Fastmail, most company servers running Google Workspace or
# Microsoft 365) the tag reaches the same inbox, and a real person never needs two
# registrations that differ only after a "+". Yahoo! JAPAN uses "-" for its disposable
# addresses, but those are separate mailboxes the owner creates one by one, so they stay apart.
SUBADDRESS_SEPARATOR = "+"

# Free and carrier mailboxes that many unrelated people share (Japan first, then global).
PUBLIC_MAILBOX_DOMAINS = frozenset(
    {
        # Japanese carriers and portals
        "docomo.ne.jp",
        "ezweb.ne.jp",
        "au.com",
        "softbank.ne.jp",
        "i.softbank.jp",
        "ymobile.ne.jp",
        "yahoo.ne.jp",
        "ybb.ne.jp",
        "rakuten.jp",
        "nifty.com",
        "biglobe.ne.jp",
        "so-net.ne.jp",
        "ocn.ne.jp",
        "yahoo.co.jp",
        "ymail.ne.jp",
        "excite.co.jp",
        "livedoor.com",
        # Global
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "outlook.jp",
        "hotmail.com",
        "hotmail.co.jp",
        "live.jp",
        "live.com",
        "msn.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "yahoo.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "zoho.com",
        "gmx.com",
        "mail.com",
        "yandex.com",
        "fastmail.com",
    }
)


def split_address(address: str) -> tuple[str, str]:
    """Local part and domain of an address already normalised; ("", "") when it has no "@"."""
    local, sep, domain = address.rpartition("@")
    if not sep:
        return "", ""
    return local, domain


def email_domain(address: str) -> str:
    """The domain of an address, folded for case and width ("Ｅｘａｍｐｌｅ.jp" → "example.jp")."""
    return split_address(normalize_email(address))[1]


def canonical_mailbox(address: str) -> str:
    """The one spelling of the inbox an address reaches.

    Case and full/half width are folded, a "+tag" is removed, and for Gmail the dots and the
    googlemail.com alias are folded too. Used only to compare addresses, never to send mail.
    """
    local, domain = split_address(normalize_email(address))
    if not domain:
        return normalize_email(address)
    domain = DOMAIN_ALIASES.get(domain, domain)
    local = local.split(SUBADDRESS_SEPARATOR, 1)[0] or local
    if domain in DOT_INSENSITIVE_DOMAINS:
        local = local.replace(".", "")
    return f"{local}@{domain}"


def is_public_mailbox(domain_or_address: str) -> bool:
    """Whether a domain (or an address's domain) is a free or carrier mailbox many people share."""
    value = normalize_email(domain_or_address)
    domain = split_address(value)[1] if "@" in value else value
    return domain in PUBLIC_MAILBOX_DOMAINS
