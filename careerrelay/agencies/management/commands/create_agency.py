"""An operator creates an APPROVED agency from the shell: the agency, its first admin, an API key.

Like create_company (whose checks and one-time set-password link this shares), no password passes
through the operator's terminal: the admin chooses one through the printed link.
"""

import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from careerrelay.agencies.licence import normalize_licence_number, validate_licence_number
from careerrelay.agencies.models import AgencyProfile
from careerrelay.agencies.services import create_agency
from careerrelay.audit.actor import Actor
from careerrelay.organisations.management.commands import create_company
from careerrelay.organisations.services import create_api_key


class Command(create_company.Command):
    help = "Create an approved agency with its admin user and an agency API key; print the key."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--licence", required=True, help="有料職業紹介事業 許可番号, e.g. 13-ユ-123456")
        parser.add_argument("--address", default="", help="The agency's address (optional)")
        parser.add_argument("--representative", default="", help="The representative's name (optional)")

    def handle(
        self, *args, name, admin_email, licence, admin_name="", address="", representative="", as_json=False, **options
    ):
        name, email = self.clean_name_and_email(name, admin_email)
        licence = normalize_licence_number(licence)
        try:
            validate_licence_number(licence)
        except ValidationError:
            raise CommandError(f"Not a valid licence number (like 13-ユ-123456): {licence!r}") from None
        if AgencyProfile.objects.filter(licence_number=licence).exists():
            raise CommandError(f"An agency with licence {licence} exists already.")

        with transaction.atomic():
            user = self.admin_user(email, admin_name)
            organisation = create_agency(
                name=name,
                licence_number=licence,
                address=address,
                representative=representative,
                admin=user,
                approve=True,
            )
            _key, secret = create_api_key(organisation=organisation, name=_("初期APIキー"), actor=Actor.system())

        result = {
            "organisation_id": organisation.pk,
            "name": organisation.name,
            "licence_number": licence,
            "admin_email": user.email,
            "api_key": secret,
            "set_password_url": self._set_password_url(user) if not user.has_usable_password() else None,
            "login_url": settings.SITE_URL + reverse("account_login"),
            "workspace_url": settings.SITE_URL + reverse("agency:home"),
        }
        if as_json:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            return
        lines = [
            f"Created agency {result['name']} (organisation {result['organisation_id']}, licence {licence}), approved.",
            f"API key:    {result['api_key']}",
            "            (shown once; only its hash is stored)",
            f"Admin:      {result['admin_email']}",
        ]
        if result["set_password_url"]:
            lines.append(f"Set password (one-time link, send it to the admin): {result['set_password_url']}")
        lines.append(f"Log in:     {result['login_url']}")
        self.stdout.write("\n".join(lines))
