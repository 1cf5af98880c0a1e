"""An operator creates an employer from the shell: the company, its first admin, an API key.

The admin gets no password here. The command prints a one-time link where they choose one
themselves (Django's password-reset token: it expires after PASSWORD_RESET_TIMEOUT and dies
as soon as a password is set), so no password ever passes through the operator's terminal or
chat. If the link expires, the admin uses "forgot password" at /accounts/password/reset/,
which works because their address is already verified.
"""

import json

from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from careerrelay.accounts.models import User
from careerrelay.accounts.services import create_user
from careerrelay.audit.actor import Actor
from careerrelay.common.japanese import normalize_email, normalize_text
from careerrelay.common.text import is_one_line
from careerrelay.organisations.models import Membership, Organisation
from careerrelay.organisations.services import create_api_key, create_employer


class Command(BaseCommand):
    help = "Create an employer with its admin user and an API key; print the relay URL and the key."

    def add_arguments(self, parser):
        parser.add_argument("name", help='The company name, e.g. "株式会社山﨑"')
        parser.add_argument("--admin-email", required=True, help="Email address of the company's first admin")
        parser.add_argument("--admin-name", default="", help="The admin's name (optional)")
        parser.add_argument("--json", action="store_true", dest="as_json", help="Print one JSON object instead of text")
        parser.add_argument(
            "--pending",
            action="store_true",
            help="Create it awaiting approval in the operator console (it can set up, but sends nothing)",
        )

    def handle(self, *args, name, admin_email, admin_name="", as_json=False, pending=False, **options):
        name, email = self.clean_name_and_email(name, admin_email)
        with transaction.atomic():
            user = self.admin_user(email, admin_name)
            # Created by an operator, so approved as it is (name and work domain vouched for).
            organisation = create_employer(name=name, admin=user, pending=pending)
            _key, secret = create_api_key(organisation=organisation, name=_("初期APIキー"), actor=Actor.system())

        campaign = organisation.campaigns.get(is_default=True)
        result = {
            "organisation_id": organisation.pk,
            "name": organisation.name,
            "status": organisation.status,
            "admin_email": user.email,
            "relay_url": campaign.url,
            "api_key": secret,
            "set_password_url": self._set_password_url(user) if not user.has_usable_password() else None,
            "login_url": settings.SITE_URL + reverse("account_login"),
        }
        if as_json:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            return
        lines = [
            f"Created {result['name']} (organisation {result['organisation_id']}, {result['status']}).",
            f"Relay URL:  {result['relay_url']}",
            f"API key:    {result['api_key']}",
            "            (shown once; only its hash is stored)",
            f"Admin:      {result['admin_email']}",
        ]
        if result["set_password_url"]:
            lines.append(f"Set password (one-time link, send it to the admin): {result['set_password_url']}")
        lines.append(f"Log in:     {result['login_url']}")
        self.stdout.write("\n".join(lines))

    # Shared with create_agency.
    @staticmethod
    def clean_name_and_email(name: str, admin_email: str) -> tuple[str, str]:
        name = normalize_text(name or "")
        if not name:
            raise CommandError("The company name must not be empty.")
        if len(name) > Organisation._meta.get_field("name").max_length:
            raise CommandError("The company name is too long (200 characters at most).")
        if not is_one_line(name):
            raise CommandError("The company name must not contain control characters.")
        email = normalize_email(admin_email or "")
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"Not a valid email address: {admin_email!r}") from None
        return name, email

    @staticmethod
    def admin_user(email: str, admin_name: str = "") -> User:
        """The first admin: a new user, or an existing one who belongs to no organisation yet;
        their address counts as verified (the operator vouches for it). Call inside a transaction."""
        user = User.objects.filter(email=email).first()
        if user is not None:
            taken = Membership.objects.filter(user=user).select_related("organisation").first()
            if taken is not None:
                raise CommandError(
                    f"{email} already belongs to {taken.organisation.name} (id {taken.organisation.pk})."
                )
            EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
            return user
        return create_user(email, None, name=normalize_text(admin_name), email_verified=True)

    @staticmethod
    def _set_password_url(user) -> str:
        key = default_token_generator.make_token(user)
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": user_pk_to_url_str(user), "key": key})
        return settings.SITE_URL + path
