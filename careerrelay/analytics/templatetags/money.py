"""Yen amounts as each language writes them: 「175万円」 in Japanese, "¥1,750,000" in English."""

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.translation import get_language

register = template.Library()


@register.filter
def yen_amount(yen: int) -> str:
    """A rounded amount of yen for prose: Japanese counts in 万 (units of 10,000), which English
    has no word for, so English gets the full figure."""
    if (get_language() or "ja").startswith("ja"):
        return f"{intcomma(round(yen / 10_000))}万円"
    return f"¥{intcomma(round(yen / 10_000) * 10_000)}"
