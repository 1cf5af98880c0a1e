"""The employer's brand: its logo and colour, shown on its relay landing pages and at the top of the
mail it sends through CareerRelay.

Logo files are checked and rebuilt by logos.py and stored under MEDIA_ROOT/logos with a random
name; the one view that serves them (portals/views.py, brand_logo) finds them through
`open_logo`. Colours are kept as the company chose them; what is drawn with them is worked out
here so that text stays at WCAG AA (4.5:1) whatever was chosen (common/contrast.py).
"""

import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import transaction
from django.urls import reverse

from careerrelay.audit.services import Action, Actor, record_event
from careerrelay.common.contrast import readable_on_white, text_colour_on
from careerrelay.organisations.logos import CONTENT_TYPES, CleanLogo, Kind
from careerrelay.organisations.models import Organisation, validate_brand_colour

LOGO_HEIGHT = 48  # CSS pixels on the landing page and in mail
LOGO_MAX_WIDTH = 240


def logo_storage() -> FileSystemStorage:
    # Built per call so the location follows MEDIA_ROOT (tests point it at a temporary folder).
    return FileSystemStorage(location=Path(settings.MEDIA_ROOT) / "logos", base_url=None)


@dataclass(frozen=True)
class Brand:
    """What pages and mail draw: all empty for a company that set nothing."""

    colour: str = ""  # the company's colour, as a background
    text_colour: str = ""  # text on that background, >= 4.5:1
    link_colour: str = ""  # the colour as text on white, darkened to >= 4.5:1 when needed
    logo_path: str = ""  # the logo's URL path on this site
    logo_kind: str = ""
    logo_width: int = 0  # display size in CSS pixels, the proportions kept
    logo_height: int = 0

    @property
    def logo_url(self) -> str:
        """Absolute, for mail."""
        return settings.SITE_URL + self.logo_path if self.logo_path else ""

    @property
    def logo_in_mail(self) -> bool:
        # Gmail and Outlook show no SVG in mail; there the company's name stands in its place.
        return bool(self.logo_path) and self.logo_kind != Kind.SVG

    def __bool__(self):
        return bool(self.colour or self.logo_path)


def brand_of(*, colour: str, brand_key: str | None, logo_file: str, logo_width: int, logo_height: int) -> Brand:
    """From the organisation's fields; a function of plain values so the landing page, which
    reads them in its single query, needs no Organisation."""
    fields: dict = {}
    if colour:
        fields.update(colour=colour.lower(), text_colour=text_colour_on(colour), link_colour=readable_on_white(colour))
    if logo_file and brand_key and logo_width and logo_height:
        scale = min(LOGO_HEIGHT / logo_height, LOGO_MAX_WIDTH / logo_width)
        fields.update(
            logo_path=reverse("brand_logo", args=[brand_key, logo_file]),
            logo_kind=Path(logo_file).suffix.lstrip("."),
            logo_width=max(1, round(logo_width * scale)),
            logo_height=max(1, round(logo_height * scale)),
        )
    return Brand(**fields)


def organisation_brand(organisation: Organisation) -> Brand:
    return brand_of(
        colour=organisation.brand_colour,
        brand_key=organisation.brand_key,
        logo_file=organisation.logo_file,
        logo_width=organisation.logo_width,
        logo_height=organisation.logo_height,
    )


@transaction.atomic
def update_brand(
    *, organisation: Organisation, actor: Actor, colour: str, logo: CleanLogo | None = None, remove_logo: bool = False
) -> Organisation:
    """Sets the colour ("" for none) and replaces or removes the logo, in one change. The logo
    must come checked (logos.check_logo). A replaced file is deleted once the change commits;
    the new file is deleted again if the change does not."""
    validate_brand_colour(colour)
    locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
    storage = logo_storage()
    old_file = locked.logo_file
    changed = []
    new_file = ""
    try:
        if logo is not None:
            new_file = storage.save(f"{secrets.token_hex(16)}.{logo.kind}", ContentFile(logo.data))
            locked.logo_file, locked.logo_width, locked.logo_height = new_file, logo.width, logo.height
            locked.brand_key = locked.brand_key or secrets.token_urlsafe(12)
            changed.append("logo")
        elif remove_logo and old_file:
            locked.logo_file, locked.logo_width, locked.logo_height = "", 0, 0
            changed.append("logo_removed")
        if colour != locked.brand_colour:
            locked.brand_colour = colour
            changed.append("colour")
        locked.save(update_fields=["brand_key", "logo_file", "logo_width", "logo_height", "brand_colour"])
        if changed:
            record_event(
                actor=actor,
                action=Action.CHANGE,
                organisation=locked,
                object_type="organisation_brand",
                object_id=locked.pk,
                changed=changed,
            )
    except Exception:
        if new_file:
            storage.delete(new_file)
        raise
    if old_file and old_file != locked.logo_file:
        transaction.on_commit(lambda: storage.delete(old_file))
    for field in ("brand_key", "logo_file", "logo_width", "logo_height", "brand_colour"):
        setattr(organisation, field, getattr(locked, field))
    return organisation


@dataclass
class OpenedLogo:
    file: object  # an open binary file; the caller's response closes it
    content_type: str
    is_current: bool  # False: an older version's URL (in mail sent before a change)
    version: str


def open_logo(brand_key: str, logo_file: str) -> OpenedLogo | None:
    """The company's current logo for its public URL. An older version's URL (mail rendered before
    the logo changed) gets the current logo too, not a broken image; None when there is no logo."""
    organisation = (
        Organisation.objects.filter(brand_key=brand_key, is_active=True).only("logo_file").exclude(logo_file="").first()
    )
    if organisation is None:
        return None
    current = organisation.logo_file
    kind = Path(current).suffix.lstrip(".")
    try:
        handle = logo_storage().open(current, "rb")
    except FileNotFoundError:
        return None
    return OpenedLogo(
        file=handle, content_type=CONTENT_TYPES[kind], is_current=current == logo_file, version=Path(current).stem
    )
