"""Figures an employer sees per relay link and per send: never small enough, nor fine enough, to
name a person.

An employer could otherwise give each rejected applicant a link of their own, or send to one person
at a time, and read off who registered. So every figure per link or per send (page views, clicks,
registrations, verified and counted registrations) is shown coarsely:

- below EMPLOYER_FIGURE_THRESHOLD (default 5) it is 「5未満」 (API: `null` with
  `below_threshold: true`), whatever it really is, 0 included — a hidden 0 and a hidden 1 look the same;
- a part of a whole the employer knows (clicks among a send's recipients) is hidden too when the
  rest is below the threshold (「非表示(少人数)」), else "5 of 5" would name all five;
- from there on it is rounded down to a multiple of the threshold and shown as a range
  (「10〜14」; API: the lower bound, 10). A figure then moves only every fifth person, so watching
  it change right after a send to one person tells nothing, and "the company total minus the
  shown links" is a range, not a person.

Totals for the whole company stay exact and live: credits are granted on them and the employer can
check its balance. What the exact live total still allows (sending to one person and waiting) is
slow, one person at a time, and is why campaigns are capped (MAX_ACTIVE_CAMPAIGNS) and the ledger
shows days, not times, and no link. See docs/trust-and-safety.md, "The employer never learns who".
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext


def threshold() -> int:
    return max(1, settings.EMPLOYER_FIGURE_THRESHOLD)


@dataclass(frozen=True)
class Figure:
    """A coarse figure. It holds only what may be shown: the lower bound of its range (None below
    the threshold), never the exact number."""

    low: int | None
    step: int
    # Hidden although not small itself: what it leaves out of a whole the employer knows (a send's
    # recipients) is, so showing it would say that (nearly) everyone clicked.
    remainder_small: bool = False

    @property
    def below_threshold(self) -> bool:
        return self.low is None

    @property
    def high(self) -> int | None:
        return None if self.low is None else self.low + self.step - 1

    def __str__(self) -> str:
        if self.remainder_small:
            return gettext("非表示(少人数)")
        if self.low is None:
            return gettext("%(n)s未満") % {"n": self.step}
        if self.step == 1:
            return f"{self.low:,}"
        return gettext("%(low)s〜%(high)s") % {"low": f"{self.low:,}", "high": f"{self.high:,}"}

    def as_api(self) -> dict:
        return {"value": self.low, "below_threshold": self.below_threshold}


def coarse(n: int) -> Figure:
    step = threshold()
    if n < step:
        return Figure(low=None, step=step)
    return Figure(low=n - n % step, step=step)


def coarse_part(part: int, whole: int) -> Figure:
    """A part of a whole the employer knows exactly (clicks among a send's recipients): hidden
    also when the rest of the whole is below the threshold, else 5 clicks out of 5 recipients (shown
    as 「5〜9」) would say that every one of them clicked."""
    figure = coarse(part)
    if figure.low is not None and whole - part < figure.step:
        return Figure(low=None, step=figure.step, remainder_small=True)
    return figure
