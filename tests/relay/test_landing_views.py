"""Landing-page views are counted outside the request's database round trip (relay/counting.py:
Redis, or a buffer in the web process) and the campaign lookup is kept per process
(relay/lookup.py). The counter must stay exact once flushed, every reader of it must see the
pending views, and a link that is disabled must answer 404 and count nothing from the next request."""

import socket
import threading
from collections import Counter

import pytest
import redis
from django.db import DatabaseError, connection
from django.test import Client
from django.urls import reverse

from careerrelay.analytics.aggregation import take_view_snapshots, today
from careerrelay.analytics.models import LandingViewSnapshot
from careerrelay.audit.actor import Actor
from careerrelay.candidates.models import Candidate
from careerrelay.ops.periodic import run_once
from careerrelay.organisations.brand import update_brand
from careerrelay.organisations.services import reactivate_organisation, suspend_organisation
from careerrelay.relay import counting
from careerrelay.relay.counting import redis_key
from careerrelay.relay.models import RelayCampaign
from careerrelay.relay.services import create_campaign, flush_views
from tests.factories import registration_data
from tests.helpers.services import REDIS_TEST_URL

pytestmark = pytest.mark.django_db

BACKENDS = ["buffer", pytest.param("redis", marks=pytest.mark.redis)]


@pytest.fixture(params=BACKENDS)
def backend(request):
    if request.param == "redis":
        request.getfixturevalue("redis_cache")
    return request.param


@pytest.fixture
def campaign(employer):
    return employer.campaigns.get()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def views(campaign) -> int:
    campaign.refresh_from_db()
    return campaign.landing_views


def visit(campaign, times=1, expect=200):
    for _ in range(times):
        assert Client().get(campaign.get_absolute_url()).status_code == expect


def test_views_are_counted_exactly_once_flushed(backend, campaign):
    visit(campaign, 7)
    assert views(campaign) == 0  # not in the request's round trip: pending until a flush
    if backend == "redis":
        pending = redis.Redis.from_url(REDIS_TEST_URL).hgetall(redis_key("relay:landing-views"))
        assert pending == {str(campaign.pk).encode(): b"7"}
    assert flush_views() == 7
    assert views(campaign) == 7
    assert flush_views() == 0  # nothing twice
    visit(campaign, 3)
    assert flush_views() == 3
    assert views(campaign) == 10


def test_the_workers_periodic_job_adds_the_pending_views(backend, campaign):
    visit(campaign, 4)
    result = run_once()
    assert result["landing_views_flushed"] == 4
    assert views(campaign) == 4


def test_a_head_request_and_a_registration_post_are_not_views(backend, campaign):
    assert Client().head(campaign.get_absolute_url()).status_code == 200
    assert Client().post(campaign.get_absolute_url(), {}).status_code == 200  # the form again, with errors
    flush_views()
    assert views(campaign) == 0


def test_a_disabled_link_answers_404_and_counts_nothing_from_the_next_request(backend, owner_client, employer):
    create_campaign(organisation=employer, name="もう一つ")  # the last active link cannot be disabled
    campaign = employer.campaigns.get(is_default=True)
    visit(campaign, 2)  # looked up and kept by this process
    response = owner_client.post(reverse("employer:campaign_set_active", args=[campaign.pk]), {"active": "0"})
    assert response.status_code == 302
    visit(campaign, 3, expect=404)
    owner_client.post(reverse("employer:campaign_set_active", args=[campaign.pk]), {"active": "1"})
    visit(campaign, 1)
    flush_views()
    assert views(campaign) == 3


def test_a_suspended_employers_links_answer_404_at_once(backend, employer, campaign):
    visit(campaign, 1)
    suspend_organisation(organisation=employer, actor=Actor.system())
    visit(campaign, 2, expect=404)
    reactivate_organisation(organisation=employer, actor=Actor.system())
    visit(campaign, 1)
    flush_views()
    assert views(campaign) == 2


def test_a_registration_through_a_link_disabled_after_its_page_was_shown_is_refused(
    backend, owner_client, employer, django_capture_on_commit_callbacks
):
    """The POST takes the campaign from the same per-process lookup as the page: the form shown
    before the link was disabled (or the employer suspended) registers nobody afterwards, and a
    registration through an open link counts no view."""
    create_campaign(organisation=employer, name="もう一つ")  # the last active link cannot be disabled
    campaign = employer.campaigns.get(is_default=True)
    visitor = Client()
    assert visitor.get(campaign.get_absolute_url()).status_code == 200  # kept by this process
    with django_capture_on_commit_callbacks(execute=True):
        response = visitor.post(campaign.get_absolute_url(), registration_data(email="first@example.jp"))
    assert response.status_code == 302
    owner_client.post(reverse("employer:campaign_set_active", args=[campaign.pk]), {"active": "0"})
    response = visitor.post(campaign.get_absolute_url(), registration_data(email="second@example.jp"))
    assert response.status_code == 404
    owner_client.post(reverse("employer:campaign_set_active", args=[campaign.pk]), {"active": "1"})
    suspend_organisation(organisation=employer, actor=Actor.system())
    response = visitor.post(campaign.get_absolute_url(), registration_data(email="third@example.jp"))
    assert response.status_code == 404
    assert list(Candidate.objects.values_list("email", flat=True)) == ["first@example.jp"]
    flush_views()
    campaign.refresh_from_db()
    assert (campaign.landing_views, campaign.registrations) == (1, 1)


def test_unknown_links_answer_404_and_count_nothing(backend, campaign):
    assert Client().get("/r/no-such-code/").status_code == 404
    assert Client().get("/r/no-such-code/").status_code == 404
    assert flush_views() == 0
    assert list(RelayCampaign.objects.values_list("landing_views", flat=True)) == [0]


def test_a_new_message_name_and_brand_show_at_once(backend, owner_client, employer, campaign):
    assert "新しいご案内です" not in Client().get(campaign.get_absolute_url()).text
    owner_client.post(
        reverse("employer:campaign_edit", args=[campaign.pk]), {"name": campaign.name, "message": "新しいご案内です"}
    )
    assert "新しいご案内です" in Client().get(campaign.get_absolute_url()).text
    employer.name = "株式会社山﨑ホールディングス"
    employer.save()  # as the operators' console saves a company
    assert "株式会社山﨑ホールディングス" in Client().get(campaign.get_absolute_url()).text
    update_brand(organisation=employer, actor=Actor.system(), colour="#123456", logo=None, remove_logo=False)
    assert "#123456" in Client().get(campaign.get_absolute_url()).text


def test_a_new_link_opens_at_once_after_a_404_for_its_code(backend, employer):
    assert Client().get("/r/brand-new-code/").status_code == 404
    RelayCampaign.objects.create(organisation=employer, name="新規", code="brand-new-code")
    assert Client().get("/r/brand-new-code/").status_code == 200


def test_the_daily_snapshot_and_the_funnels_see_pending_views(backend, owner_client, campaign):
    visit(campaign, 6)
    take_view_snapshots(today())
    assert LandingViewSnapshot.objects.get(campaign=campaign).landing_views == 6
    visit(campaign, 2)
    dashboard = owner_client.get(reverse("employer:dashboard"))
    assert dashboard.status_code == 200
    assert views(campaign) == 8  # the dashboard added them before reading


def test_while_redis_is_down_the_page_opens_and_every_view_is_still_counted(settings, campaign):
    port = free_port()  # nothing listens there
    working = settings.CACHES
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": f"redis://127.0.0.1:{port}/0"}
    }
    try:
        visit(campaign, 3)
        campaign.organisation.save()  # a change still saves
        visit(campaign, 2)
        assert flush_views() == 5  # from this process's buffer
    finally:
        settings.CACHES = working  # the test teardown clears the cache
    assert views(campaign) == 5


def test_counts_stay_exact_when_a_flush_fails_midway(backend, employer, campaign):
    other = create_campaign(organisation=employer, name="もう一つ")
    third = create_campaign(organisation=employer, name="三つ目")
    visit(campaign, 2)
    visit(other, 3)
    visit(third, 4)
    updates = []

    def fail_second_update(execute, sql, params, many, context):
        if sql.startswith("UPDATE") and "landing_views" in sql:
            updates.append(sql)
            if len(updates) == 2:
                raise DatabaseError("injected: the second campaign's row is locked")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(fail_second_update), pytest.raises(DatabaseError):
        flush_views()
    assert views(campaign) == 2  # added before the failure, and kept
    assert views(other) == views(third) == 0
    assert flush_views() == 7  # only what was not added is flushed again
    assert (views(campaign), views(other), views(third)) == (2, 3, 4)


def test_a_lost_generation_key_never_matches_an_old_entry(redis_cache, owner_client, employer):
    create_campaign(organisation=employer, name="もう一つ")  # the last active link cannot be disabled
    campaign = employer.campaigns.get(is_default=True)
    visit(campaign, 1)  # kept by this process under the current generation
    flush_views()
    client = redis.Redis.from_url(REDIS_TEST_URL)
    key = redis_key("relay:lookup-generation")
    kept_under = client.get(key)
    client.flushdb()  # Redis restarted without persistence
    owner_client.post(reverse("employer:campaign_set_active", args=[campaign.pk]), {"active": "0"})
    for _ in range(5):  # more changes after the restart: the generation must not come back to the old one
        if client.get(key) == kept_under:
            break
        employer.save()
    visit(campaign, 2, expect=404)
    flush_views()
    assert views(campaign) == 1


def test_an_unwritable_var_dir_does_not_break_a_save_nor_serve_a_disabled_link(
    settings, tmp_path, owner_client, employer
):
    create_campaign(organisation=employer, name="もう一つ")
    campaign = employer.campaigns.get(is_default=True)
    visit(campaign, 1)
    (tmp_path / "a-file").write_text("")
    settings.VAR_DIR = str(tmp_path / "a-file" / "var")  # cannot be created
    visit(campaign, 1)
    response = owner_client.post(reverse("employer:campaign_set_active", args=[campaign.pk]), {"active": "0"})
    assert response.status_code == 302
    visit(campaign, 2, expect=404)
    flush_views()
    assert views(campaign) == 2


def test_while_redis_hangs_the_page_opens_and_every_view_is_still_counted(settings, campaign):
    listener = socket.socket()  # accepts connections (the kernel's backlog) and never answers
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    working = settings.CACHES
    location = f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
    backend = "django.core.cache.backends.redis.RedisCache"
    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": location, "OPTIONS": settings.REDIS_CACHE_OPTIONS}}
    try:
        visit(campaign, 2)
        assert flush_views() == 2  # from this process's buffer
    finally:
        settings.CACHES = working
        listener.close()
    assert views(campaign) == 2


def test_the_exit_handler_waits_for_a_flush_the_daemon_thread_is_in_the_middle_of(monkeypatch):
    """Without Redis, at exit: the daemon thread has taken the buffer and is adding it; the exit
    handler must wait for it (not exit under it and lose those views)."""
    added: Counter[int] = Counter()
    daemon_adding = threading.Event()
    exit_handler_waiting = threading.Event()

    def add(counts):
        if threading.current_thread().name == "daemon":
            daemon_adding.set()
            exit_handler_waiting.wait()
        added.update(counts)
        counts.clear()

    real_lock = counting._flush_lock

    class SignallingLock:  # tells the daemon's add to go on once the exit handler waits for it
        def acquire(self, *args, **kwargs):
            exit_handler_waiting.set()
            return real_lock.acquire(*args, **kwargs)

        def release(self):
            real_lock.release()

        __enter__ = acquire

        def __exit__(self, *exc):
            self.release()

    monkeypatch.setattr(counting, "_add", add)
    counting.discard()
    counting.buffer_view(1)
    counting.buffer_view(1)
    daemon = threading.Thread(target=counting._flush_buffer, name="daemon")
    daemon.start()
    daemon_adding.wait()
    try:
        monkeypatch.setattr(counting, "_flush_lock", SignallingLock())
        counting.buffer_view(2)
        counting._flush_at_exit()
        assert added == Counter({1: 2, 2: 1})  # the daemon's flush finished before the process would exit
    finally:
        exit_handler_waiting.set()
        daemon.join()
