import re
from datetime import timedelta
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.utils import timezone

from careerrelay.accounts.models import User
from careerrelay.candidates.models import Candidate
from careerrelay.credits.models import LedgerEntry
from careerrelay.credits.services import get_balance
from careerrelay.organisations.models import Organisation
from careerrelay.outbox.models import OutboundEmail
from careerrelay.relay.services import get_funnel

pytestmark = pytest.mark.django_db


def seed(capture, *args):
    out = StringIO()
    with capture(execute=True):
        call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def snapshot():
    """Row counts of every model of ours, plus the funnel figures that UPDATEs bump."""
    counts = {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label
        in {"accounts", "organisations", "relay", "candidates", "credits", "mailings", "sends", "talent"}
        or model._meta.label == "account.EmailAddress"
    }
    funnels = {
        org.name: [(row.landing_views, row.registrations, row.verified) for row in get_funnel(org).rows]
        for org in Organisation.objects.filter(kind="employer")
    }
    return counts, funnels


def test_it_builds_real_counters_through_the_referral_rule(settings, django_capture_on_commit_callbacks):
    settings.DEBUG = True
    settings.REFERRALS_PER_CREDIT = 10
    output = seed(django_capture_on_commit_callbacks)

    sakura = Organisation.objects.get(name="株式会社さくらテック")
    balance = get_balance(sakura)
    assert (balance.counted_referrals, balance.credits_earned, balance.referrals_to_next_credit) == (23, 2, 7)
    yamasaki = get_balance(Organisation.objects.get(name="山﨑物産株式会社"))
    assert (yamasaki.counted_referrals, yamasaki.credits_earned, yamasaki.referrals_to_next_credit) == (9, 0, 1)
    assert Organisation.objects.get(name="髙橋フーズ株式会社").kind == "employer"
    assert Organisation.objects.filter(kind="agency").count() == 2
    assert "advisor@nextcareer.example" in output
    assert "hanako.demo@example.jp" in output

    # Every counted referral is a verified candidate with agency-sharing consent on the ledger.
    counted = Candidate.objects.filter(referral_status="counted")
    assert counted.count() == LedgerEntry.objects.filter(kind="referral_counted").count()
    assert all(c.is_verified and c.consents.filter(purpose="agency_sharing").exists() for c in counted)
    assert LedgerEntry.objects.filter(kind="credit_granted", organisation=sakura).count() == 2
    assert Candidate.objects.filter(referral_status="held", held_for_review=True).count() == 1
    assert Candidate.objects.filter(status="pending").exists()
    total = get_funnel(sakura).total
    assert total.landing_views > total.registrations > total.verified > 23

    # The candidates' mails went nowhere: the dev mailbox is left for the newcomer's own.
    assert OutboundEmail.objects.count() == 0

    for email in ("admin@sakura-tech.example", "recruiter@sakura-tech.example", "operator@careerrelay.example"):
        assert User.objects.get(email=email).check_password("demo-pass-2026")
        assert email in output
    assert User.objects.get(email="operator@careerrelay.example").is_superuser
    assert "demo-pass-2026" in output
    assert "http://testserver/dev/mailbox/" in output
    assert sakura.campaigns.get(is_default=True).url in output


def test_running_it_twice_changes_nothing(settings, django_capture_on_commit_callbacks):
    settings.DEBUG = True
    seed(django_capture_on_commit_callbacks)
    first = snapshot()
    output = seed(django_capture_on_commit_callbacks)
    assert snapshot() == first
    assert "nothing changed" in output


def test_the_demo_accounts_can_log_in(client, settings, django_capture_on_commit_callbacks):
    settings.DEBUG = True
    seed(django_capture_on_commit_callbacks)
    response = client.post("/accounts/login/", {"login": "admin@sakura-tech.example", "password": "demo-pass-2026"})
    assert response.status_code == 302
    assert client.get("/operator/").status_code == 302  # an employer is not an operator
    client.logout()
    assert client.login(email="operator@careerrelay.example", password="demo-pass-2026")
    # The demo operator has no second factor yet: the console sends them to set one up first.
    assert client.get("/operator/")["Location"] == "/accounts/2fa/"


def test_it_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", stdout=StringIO())
    assert User.objects.count() == 0


def test_force_runs_it_with_debug_off(settings, django_capture_on_commit_callbacks):
    settings.DEBUG = False
    seed(django_capture_on_commit_callbacks, "--force")
    assert Organisation.objects.filter(kind="employer").count() == 3


def test_the_demo_agency_logs_in_and_finds_demo_profiles_with_the_search_hints_example(
    client, settings, django_capture_on_commit_callbacks
):
    settings.DEBUG = True
    seed(django_capture_on_commit_callbacks)
    login = client.post(
        "/accounts/login/", {"login": "advisor@nextcareer.example", "password": "demo-pass-2026"}, follow=True
    )
    assert login.redirect_chain[-1] == ("/agency/", 302)
    assert login.status_code == 200

    search = client.get("/agency/search/", {"q": "Java開発"})
    assert search.status_code == 200
    assert "例: Java開発" in search.text  # the hint the newcomer will try
    found = [summary for _hit, summary in search.context["rows"]]
    assert len(found) >= 3
    assert all("Java" in summary.skills for summary in found)


def test_the_other_demo_agency_waits_for_approval(client, settings, django_capture_on_commit_callbacks):
    settings.DEBUG = True
    seed(django_capture_on_commit_callbacks)
    assert client.login(email="admin@mirai-jinzai.example", password="demo-pass-2026")
    assert "運営による承認をお待ちください" in client.get("/agency/", follow=True).text


# The development mailbox's URLs exist only when the URLconf loads with DEBUG on.
@pytest.mark.urls("tests.outbox.dev_urlconf")
def test_the_demo_candidate_signs_in_by_a_link_from_the_development_mailbox(
    client, settings, django_capture_on_commit_callbacks
):
    settings.DEBUG = True
    seed(django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/me/signin/", {"email": "hanako.demo@example.jp"})
    assert "hanako.demo@example.jp" in client.get("/dev/mailbox/").text
    sent = OutboundEmail.objects.get(to_email="hanako.demo@example.jp")
    # The outbox cleared the body on delivery; the development mailbox shows the copy the
    # development mail backend kept (here Django's locmem backend).
    assert sent.body_text == ""
    page = client.get(f"/dev/mailbox/{sent.pk}/").text
    link = re.search(r"http://testserver(/me/signin/link/[^\s/&\"<]+/)", page).group(1)
    assert client.post(link)["Location"] == "/me/"
    assert "髙橋" in client.get("/me/").text


def test_activity_is_spread_over_the_last_eight_weeks(settings, django_capture_on_commit_callbacks):
    settings.DEBUG = True
    seed(django_capture_on_commit_callbacks)
    now = timezone.now()
    created = list(Candidate.objects.values_list("created_at", flat=True))
    assert min(created) > now - timedelta(weeks=8)
    assert min(created) < now - timedelta(weeks=7)
    weeks = {(now - when).days // 7 for when in created}
    assert weeks == set(range(8))  # some in every one of the eight weeks
    for candidate in Candidate.objects.filter(status="verified"):
        assert candidate.created_at < candidate.verified_at < now


def test_the_demo_employer_has_a_talent_pool_to_search_and_re_approach(
    client, settings, django_capture_on_commit_callbacks
):
    settings.DEBUG = True
    seed(django_capture_on_commit_callbacks)
    assert client.login(email="admin@sakura-tech.example", password="demo-pass-2026")

    found = client.get("/employer/applicants/", {"q": "たかはし 論理的"}).content.decode()
    assert "髙橋" in found and "山﨑" not in found

    jobs = client.get("/employer/jobs/")
    assert "バックエンドエンジニア(リモート可)" in jobs.content.decode()  # stored NFKC, as typed titles are
    job = Organisation.objects.get(name="株式会社さくらテック").jobs.get(title__startswith="バックエンド")
    suggestions = client.get(f"/employer/jobs/{job.pk}/").content.decode()
    assert "髙橋" in suggestions  # rejected for another candidate, shares Python and AWS
    assert "渡辺" not in suggestions  # culture fit: never suggested
