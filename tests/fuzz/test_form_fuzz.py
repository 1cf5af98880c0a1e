"""Every public form, posted through the Django test client with generated text: NUL and other
controls, CR/LF, huge numbers, Japanese in full and half width, 髙 and 﨑. Whatever is typed, the
answer is never a 5xx, and a refused post writes nothing (a user without an organisation, an
organisation without its admin, a candidate without a consent)."""

import pytest
from allauth.account.models import EmailAddress
from django.core.cache import cache
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from careerrelay.accounts.models import User
from careerrelay.audit.actor import Actor, ActorKind
from careerrelay.candidates.models import Candidate, Consent, WorkHistory
from careerrelay.organisations.models import Organisation
from tests.factories import EmployerFactory, registration_data
from tests.helpers.candidates import sign_in_candidate

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

NASTY = [
    "\x00",
    "髙橋\x00",
    "株式会社\r\nBcc: victim@example.com",
    "\r\n",
    "\x1b[31m",
    "\u2028",
    "9223372036854775808",
    str(10**30),
    "-1",
    "ＡＢＣ１２３",
    "ｶﾀｶﾅ ﾃﾞｰﾀ",
    "髙﨑",
    "①（東京～大阪）",
    "９９９９年１２月",
    "9999-12",
    "0000-00",
    "a" * 5000,
    "０９０－１２３４－５６７８",
    "ＨＡＮＡＫＯ＠ＥＸＡＭＰＬＥ．ＪＰ",
    "<script>alert(1)</script>",
]
# Any text but lone surrogates, which no browser can send as UTF-8.
text = st.one_of(
    st.sampled_from(NASTY),
    st.text(st.characters(exclude_categories=["Cs"]), max_size=40),
    st.text(st.sampled_from("\x00\r\n\t 髙﨑ｱｲｳﾃﾞ0123456789０１２３ＡＢ@＠.-ー①～"), max_size=20),
)


def overrides(fields):
    """Some of the form's fields replaced by generated text, the others left as a person types them."""
    return st.dictionaries(st.sampled_from(fields), text, max_size=len(fields))


@pytest.fixture(autouse=True)
def _no_rate_limits():
    # Each example is a new visitor: the limits are tested elsewhere and would only answer 429 here.
    yield
    cache.clear()


def assert_not_5xx(response, data):
    assert response.status_code < 500, data


# --- Relay registration ----------------------------------------------------------------------

REGISTRATION_FIELDS = [*registration_data().keys(), "consent_employer_recontact"]


def test_relay_registration(client):
    campaign = EmployerFactory(name="株式会社山﨑製作所").campaigns.get()

    @FUZZ
    @given(overrides(REGISTRATION_FIELDS))
    def run(changes):
        cache.clear()
        before = Candidate.objects.count()
        data = registration_data(**{"email": f"fuzz{before}@example.jp", **changes})
        response = client.post(campaign.get_absolute_url(), data)
        assert_not_5xx(response, data)
        if response.status_code == 302:
            candidate = Candidate.objects.order_by("-pk").first()
            assert Candidate.objects.count() == before + 1
            assert candidate.consents.filter(purpose=Consent.Purpose.AGENCY_SHARING).exists()
        else:
            assert Candidate.objects.count() == before

    run()


# --- Employer and agency signup --------------------------------------------------------------

EMPLOYER_SIGNUP = {
    "company_name": "株式会社髙橋商事",
    "name": "髙橋 花子",
    "email": "hanako@takahashi.example",
    "password1": "kiso-tango-37-hoshi",
    "password2": "kiso-tango-37-hoshi",
}


def assert_every_user_has_an_organisation():
    assert not User.objects.filter(memberships=None).exists()
    assert not Organisation.objects.filter(memberships=None).exists()


def test_employer_signup(client):
    @FUZZ
    @given(overrides(list(EMPLOYER_SIGNUP)))
    def run(changes):
        cache.clear()
        data = {**EMPLOYER_SIGNUP, "email": f"fuzz{User.objects.count()}@takahashi.example", **changes}
        response = client.post(reverse("account_signup"), data)
        assert_not_5xx(response, data)
        assert_every_user_has_an_organisation()
        for organisation in Organisation.objects.all():
            assert "\n" not in organisation.name and "\r" not in organisation.name and "\x00" not in organisation.name
        client.logout()

    run()


AGENCY_SIGNUP = {
    "company_name": "株式会社　ひかり人材",
    "licence_number": "１３－ユ－３１０００１",
    "address": "東京都港区芝公園4-2-8",
    "representative": "山﨑 次郎",
    "name": "髙橋 一郎",
    "email": "admin@hikari.example",
    "password1": "a long and unusual passphrase",
    "password2": "a long and unusual passphrase",
}


def test_agency_signup(client):
    @FUZZ
    @given(overrides(list(AGENCY_SIGNUP)))
    def run(changes):
        cache.clear()
        n = Organisation.objects.count()
        data = {**AGENCY_SIGNUP, "email": f"fuzz{n}@hikari.example", "licence_number": f"13-ユ-{310000 + n}", **changes}
        response = client.post(reverse("agency:signup"), data)
        assert_not_5xx(response, data)
        assert_every_user_has_an_organisation()
        assert EmailAddress.objects.count() == User.objects.count()
        for organisation in Organisation.objects.all():
            assert "\n" not in organisation.name and "\x00" not in organisation.name

    run()


# --- The candidate's sign-in and profile -----------------------------------------------------


def test_candidate_sign_in(client):
    @FUZZ
    @given(text)
    def run(email):
        cache.clear()
        assert_not_5xx(client.post(reverse("candidate:signin"), {"email": email}), email)

    run()


PROFILE = {
    "family_name": "髙橋",
    "given_name": "花子",
    "family_name_kana": "たかはし",
    "given_name_kana": "ﾊﾅｺ",
    "phone": "０９０-１２３４-５６７８",
    "prefecture": "27",
    "desired_job_categories": "sales",
    "desired_prefectures": "13",
    "remote_preference": "hybrid",
    "desired_salary_min": "５００",
    "desired_salary_max": "８００万円",
    "years_experience": "５",
    "skills_text": "ＰＹＴＨＯＮ、法人営業,ﾊﾟｲｿﾝ",
    "summary": "法人営業を5年経験しました。",
    "history-TOTAL_FORMS": "1",
    "history-INITIAL_FORMS": "0",
    "history-MIN_NUM_FORMS": "0",
    "history-MAX_NUM_FORMS": "20",
    "history-0-company": "株式会社山﨑製作所",
    "history-0-role": "法人営業",
    "history-0-started_on": "２０１９年４月",
    "history-0-ended_on": "2024-03",
    "history-0-description": "中小企業向けの提案営業",
}


def test_profile_edit(client):
    from tests.helpers.privacy import make_candidate

    candidate = make_candidate(family_name="鈴木", given_name="一郎", email="ichiro@example.jp")
    sign_in_candidate(client, candidate)

    @FUZZ
    @given(overrides(list(PROFILE)))
    def run(changes):
        cache.clear()
        data = {**PROFILE, **changes}
        saved = Candidate.objects.values_list("family_name", "profile_updated_at").get(pk=candidate.pk)
        history = list(WorkHistory.objects.filter(candidate=candidate).values_list("company", flat=True))
        response = client.post("/me/", data)
        assert_not_5xx(response, data)
        if response.status_code == 200:  # refused: the profile and its history are as they were
            assert Candidate.objects.values_list("family_name", "profile_updated_at").get(pk=candidate.pk) == saved
            assert list(WorkHistory.objects.filter(candidate=candidate).values_list("company", flat=True)) == history
        else:  # saved, or nothing to save: back to the my page
            assert (response.status_code, response["Location"]) == (302, "/me/")

    run()


# --- The other public forms and links: resend, login, password reset, token links -----------


def test_resend_verification_login_and_password_reset(client):
    EmployerFactory(name="株式会社山﨑製作所")

    @FUZZ
    @given(text, text)
    def run(email, password):
        cache.clear()
        before = (User.objects.count(), Candidate.objects.count())
        for url, data in (
            (reverse("relay:resend"), {"email": email}),
            (reverse("account_login"), {"login": email, "password": password}),
            (reverse("account_reset_password"), {"email": email}),
        ):
            assert_not_5xx(client.post(url, data), (url, data))
        assert (User.objects.count(), Candidate.objects.count()) == before  # none of these creates anyone

    run()


# Path segments a browser can send: what a mangled or hand-edited link holds.
path_segment = st.one_of(
    st.sampled_from(["0", "a" * 500, "%00", "..", "9223372036854775808", "ＡＢＣ", "髙﨑", "%E9%AB%99"]),
    st.text(st.characters(exclude_categories=["Cs", "Cc"], exclude_characters="/?#%"), min_size=1, max_size=60),
)


def test_token_links(client):
    """Confirmation, sign-in, email-change, unsubscribe and click links with made-up tokens: a page
    that says the link is no good (4xx or a redirect), never a 5xx, and nobody verified."""

    @FUZZ
    @given(path_segment)
    def run(token):
        cache.clear()
        for name in (
            "relay:verify",
            "candidate:signin_link",
            "candidate:email_confirm",
            "sends:unsubscribe",
            "sends:click",
        ):
            url = reverse(name, kwargs={"token": "x"}).replace("/x/", "/" + token + "/")
            assert_not_5xx(client.get(url), url)
            assert_not_5xx(client.post(url), url)
        assert not Candidate.objects.filter(status=Candidate.Status.VERIFIED).exists()

    run()


# --- The employer's own forms: an applicant, a free-referral request --------------------------

APPLICANT = {
    "family_name": "髙橋",
    "given_name": "花子",
    "family_name_kana": "タカハシ",
    "given_name_kana": "ﾊﾅｺ",
    "email": "hanako@example.jp",
    "phone": "０９０-１２３４-５６７８",
    "job_title": "法人営業(東京～大阪)",
    "stage": "",
    "rejected_on": "２０２６-１１-０１",
    "rejection_reason": "①経験不足",
    "source": "自社サイト",
    "recontact_ok": "on",
    "notes": "一次面接: 丁寧な受け答え",
}


def test_applicant_form(owner_client):
    from careerrelay.talent.models import Applicant

    @FUZZ
    @given(overrides(list(APPLICANT)))
    def run(changes):
        cache.clear()
        data = {**APPLICANT, "email": f"fuzz{Applicant.objects.count()}@example.jp", **changes}
        before = Applicant.objects.count()
        response = owner_client.post(reverse("employer:applicant_add"), data)
        assert_not_5xx(response, data)
        if response.status_code == 200:  # refused: nothing saved
            assert Applicant.objects.count() == before
        else:  # accepted: exactly one applicant more
            assert response.status_code == 302
            assert Applicant.objects.count() == before + 1

    run()


FREE_REFERRAL_REQUEST = {
    "role": "バックエンドエンジニア",
    "requirements": "Java または Python での開発経験3年以上",
    "prefecture": "13",
    "location_note": "渋谷区",
    "salary_min": "５００",
    "salary_max": "800",
    "desired_start": "2027-04-01",
    "deadline": "2099-12-31",
}


def test_free_referral_request_form(owner_client, employer, owner):
    from careerrelay.credits.services import adjust_credits, get_balance
    from careerrelay.matching.models import FreeReferralRequest

    adjust_credits(organisation=employer, amount=100, reason="fuzzing", actor=Actor.for_user(owner, ActorKind.EMPLOYER))

    @FUZZ
    @given(overrides(list(FREE_REFERRAL_REQUEST)))
    def run(changes):
        cache.clear()
        data = {**FREE_REFERRAL_REQUEST, **changes}
        before = (FreeReferralRequest.objects.count(), get_balance(employer).credits_available)
        response = owner_client.post(reverse("employer:free_referral_new"), data)
        assert_not_5xx(response, data)
        if response.status_code == 200:  # refused: no request, no credit reserved
            assert (FreeReferralRequest.objects.count(), get_balance(employer).credits_available) == before
        else:  # filed: one request more, and one credit reserved for it
            assert response.status_code == 302
            assert (FreeReferralRequest.objects.count(), get_balance(employer).credits_available) == (
                before[0] + 1,
                before[1] - 1,
            )

    run()
