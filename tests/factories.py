import factory
from django.conf import settings
from django.utils import timezone

from careerrelay.accounts.models import User
from careerrelay.candidates.models import Candidate
from careerrelay.organisations.models import Membership, Organisation
from careerrelay.relay.services import new_campaign_code


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.co.jp")
    name = factory.Faker("name", locale="ja_JP")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        # allauth refuses to log in an unverified address; test users are verified.
        from allauth.account.models import EmailAddress

        obj.save()
        if create:
            EmailAddress.objects.get_or_create(user=obj, email=obj.email, defaults={"verified": True, "primary": True})

    @factory.post_generation
    def second_factor(obj, create, extracted, **kwargs):
        # The operator console opens only for staff with a second factor, so test staff have an
        # authenticator app unless a test says second_factor=False; its secret is on .totp_secret.
        from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

        wanted = obj.is_staff if extracted is None else extracted
        if create and wanted:
            obj.totp_secret = generate_totp_secret()
            TOTP.activate(obj, obj.totp_secret)


class EmployerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    kind = Organisation.Kind.EMPLOYER
    name = factory.Sequence(lambda n: f"株式会社テスト{n}")
    # Approved by an operator, as a company that sends mail is; pass status=PENDING for one that waits.
    status = Organisation.Status.APPROVED
    approved_name = factory.LazyAttribute(lambda o: o.name if o.status == Organisation.Status.APPROVED else "")
    approved_at = factory.LazyAttribute(lambda o: timezone.now() if o.status == Organisation.Status.APPROVED else None)

    @factory.post_generation
    def default_campaign(obj, create, extracted, **kwargs):
        if create:
            obj.campaigns.create(name="標準リレーリンク", code=new_campaign_code(), is_default=True)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    organisation = factory.SubFactory(EmployerFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.ADMIN


class CandidateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Candidate

    family_name = "山﨑"
    given_name = factory.Sequence(lambda n: f"太郎{n}")
    email = factory.Sequence(lambda n: f"candidate{n}@example.jp")
    email_normalized = factory.LazyAttribute(lambda o: o.email.lower())
    prefecture = "13"
    job_category = "engineer_software"
    years_experience = 3
    language = settings.LANGUAGE_CODE


def registration_data(**overrides):
    """What a person types into the relay form."""
    data = {
        "family_name": "髙橋",
        "given_name": "花子",
        "family_name_kana": "たかはし",
        "given_name_kana": "ハナコ",
        "email": "hanako.takahashi@example.jp",
        "phone": "090-1234-5678",
        "prefecture": "13",
        "job_category": "sales",
        "years_experience": "5",
        "skills": "法人営業、Excel",
        "summary": "法人営業を5年経験しました。",
        "consent_agency_sharing": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


class OperatorFactory(UserFactory):
    """A member of CareerRelay's staff, with the second factor the operator console requires."""

    is_staff = True
    is_superuser = True
