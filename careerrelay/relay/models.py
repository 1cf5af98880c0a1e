from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from careerrelay.organisations.models import Organisation


class RelayCampaign(models.Model):
    """One relay link. Its code is random and says nothing about any applicant."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="campaigns")
    name = models.CharField(_("キャンペーン名"), max_length=100)
    code = models.CharField(max_length=32, unique=True)
    is_default = models.BooleanField(default=False)
    is_active = models.BooleanField(_("有効"), default=True)
    # A few words from the company on the link's landing page, shown as plain text (escaped).
    message = models.TextField(_("応募者へのメッセージ"), max_length=200, blank=True, default="", db_default="")
    # Funnel figures, bumped with UPDATE ... SET n = n + 1. They are counters rather than
    # joins to candidates so that employers never query who registered, and deletions of
    # candidates do not rewrite an employer's history.
    landing_views = models.PositiveBigIntegerField(default=0)
    registrations = models.PositiveIntegerField(default=0)
    verified = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-is_default", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"], condition=Q(is_default=True), name="one_default_campaign_per_org"
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("relay:landing", args=[self.code])

    @property
    def url(self):
        from django.conf import settings

        return settings.SITE_URL + self.get_absolute_url()
