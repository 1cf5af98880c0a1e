from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from careerrelay.organisations.models import Organisation


class RejectionTemplate(models.Model):
    """A rejection email: a subject and one body with {{variable}} slots; the email's plain-text
    and HTML parts are both made from that body (services.render_rejection).

    Built-in presets are shared rows with no organisation and a preset key; they are read-only
    and kept in step with careerrelay/rejections/presets.py by services.sync_presets(). An
    employer's own templates (often copied from a preset) belong to its organisation, are
    employer workspace data and are never shown to anyone else.
    """

    class Language(models.TextChoices):
        JA = "ja", _("日本語")
        EN = "en", _("英語")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="rejection_templates"
    )
    name = models.CharField(_("テンプレート名"), max_length=100)
    language = models.CharField(_("言語"), max_length=2, choices=Language.choices, default=Language.JA)
    subject = models.CharField(_("件名"), max_length=200)
    body = models.TextField(_("本文"))
    preset_key = models.CharField(max_length=50, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("不採用通知テンプレート")
        verbose_name_plural = _("不採用通知テンプレート")
        ordering = ["organisation_id", "name", "id"]
        constraints = [
            # A preset is exactly a row without an organisation, and each preset exists once.
            models.CheckConstraint(
                condition=Q(organisation__isnull=True, preset_key__gt="")
                | Q(organisation__isnull=False, preset_key=""),
                name="rejection_template_preset_xor_organisation",
            ),
            models.UniqueConstraint(
                fields=["preset_key"], condition=Q(organisation__isnull=True), name="one_row_per_preset"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_preset(self):
        return self.organisation_id is None
