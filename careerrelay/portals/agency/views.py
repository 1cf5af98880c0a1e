"""The agency workspace's own pages (/agency/): signing up, home, search, candidates and job
orders. Every view reaches the agency through `agency_view` (portals/workspace/access.py), job orders
through `_get_job_order_for_user`, and candidates only through careerrelay.agencies.services, which
look at `agency_visible_candidates()` and write the provision record before any personal data is
shown. An agency that is not approved sees a waiting notice and no candidate."""

import uuid

from allauth.account.models import EmailAddress
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from careerrelay.accounts.services import create_user
from careerrelay.agencies import services as agencies
from careerrelay.agencies.models import JobOrder
from careerrelay.audit.actor import Actor
from careerrelay.common.http import object_id, page_number
from careerrelay.common.japanese import normalize_email
from careerrelay.matching.services import requests_for_agencies
from careerrelay.portals.agency.forms import AgencySignupForm, JobOrderForm, SearchForm
from careerrelay.portals.workspace.access import agency_view
from careerrelay.privacy.models import ProvisionRecord

PER_PAGE = 20
# A signup sends a confirmation mail to the address typed: limit how often one can be sent.
SIGNUP_RATE_PER_IP = "20/h"
SIGNUP_RATE_PER_EMAIL = "3/h"


def _get_job_order_for_user(request, pk) -> JobOrder:
    return get_object_or_404(agencies.agency_job_orders(request.organisation), pk=pk)


# --- Signing up -------------------------------------------------------------------------------


def _email_key(group, request):
    return normalize_email(request.POST.get("email", "")) or "-"


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@ratelimit(key="ip", rate=SIGNUP_RATE_PER_IP, method="POST", group="agency-signup-ip")
@ratelimit(key=_email_key, rate=SIGNUP_RATE_PER_EMAIL, method="POST", group="agency-signup-email")
def signup(request):
    form = AgencySignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                user = create_user(
                    data["email"],
                    data["password1"],
                    name=data["name"],
                    # Their emails follow the language they signed up in (changeable on the notifications page).
                    language=request.LANGUAGE_CODE,
                    email_verified=False,
                )
                agencies.create_agency(
                    name=data["company_name"],
                    licence_number=data["licence_number"],
                    address=data["address"],
                    representative=data["representative"],
                    admin=user,
                )
        except IntegrityError:
            # The same address or licence number was registered a moment ago.
            form.add_error(None, _("このメールアドレスまたは許可番号は、すでに登録されています。"))
        else:
            # allauth's confirmation mail; once confirmed, the admin logs in and waits for approval.
            EmailAddress.objects.get_primary(user).send_confirmation(request, signup=True)
            return redirect("agency:signup_done")
    return render(request, "agency/signup.html", {"form": form})


def signup_done(request):
    return render(request, "agency/signup_done.html")


# --- Home -------------------------------------------------------------------------------------


@agency_view(approved_only=False)
def home(request):
    if not request.agency.is_approved:
        return render(request, "agency/pending.html")
    open_orders = agencies.agency_job_orders(request.organisation).filter(status=JobOrder.Status.OPEN)
    recent = ProvisionRecord.objects.filter(recipient_organisation=request.organisation).select_related(
        "recipient_user"
    )[:10]
    return render(
        request,
        "agency/home.html",
        {
            "open_orders": open_orders[:10],
            "open_count": open_orders.count(),
            "recent_provisions": recent,
            "nav": "home",
        },
    )


# --- Search and profiles ----------------------------------------------------------------------


def _free_referral_or_none(public_id):
    """The open free-referral request a search was started from (every approved agency sees those)."""
    try:
        return requests_for_agencies().filter(public_id=uuid.UUID(public_id)).first()
    except ValueError:
        return None


@agency_view()
def search(request):
    job_order = None
    if request.GET.get("job_order"):
        job_order_id = object_id(request.GET["job_order"])
        if job_order_id is None:
            raise Http404
        job_order = _get_job_order_for_user(request, job_order_id)
    free_referral = _free_referral_or_none(request.GET["free_referral"]) if request.GET.get("free_referral") else None
    form = SearchForm(request.GET or None)
    page = None
    rows = []
    if not form.is_bound or form.is_valid():
        params = form.search_params() if form.is_bound else {"q": ""}
        page = agencies.search_for_agency(
            organisation=request.organisation,
            actor=Actor.from_request(request),
            page=page_number(request.GET.get("page")),
            per_page=PER_PAGE,
            **params,
        )
        summaries = agencies.summaries_for(page.results)
        rows = [(hit, summaries[hit.candidate_id]) for hit in page.results if hit.candidate_id in summaries]
    return render(
        request,
        "agency/search.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "job_order": job_order,
            "free_referral": free_referral,
            "nav": "search",
        },
    )


@never_cache
@agency_view()
def candidate_detail(request, public_id):
    try:
        candidate, record = agencies.open_candidate_profile(
            organisation=request.organisation,
            actor=Actor.from_request(request),
            public_id=public_id,
            channel=ProvisionRecord.Channel.PAGE,
        )
    except agencies.CandidateNotVisible:
        return render(request, "agency/candidate_gone.html", status=404)
    return render(
        request,
        "agency/candidate.html",
        {
            "candidate": candidate,
            "reference": agencies.reference_for(candidate.public_id),
            "summary": agencies.CandidateSummary.of(candidate),
            "work_history": candidate.work_history.all(),
            "resume": getattr(candidate, "resume", None),
            "source": agencies.source_note(record),
            "nav": "search",
        },
    )


@never_cache
@agency_view()
def candidate_resume(request, public_id):
    try:
        opened = agencies.open_candidate_resume(
            organisation=request.organisation, actor=Actor.from_request(request), public_id=public_id
        )
    except agencies.CandidateNotVisible:
        return render(request, "agency/candidate_gone.html", status=404)
    response = FileResponse(opened.file, as_attachment=True, filename=opened.filename, content_type=opened.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Job orders -------------------------------------------------------------------------------


@agency_view()
@require_http_methods(["GET", "HEAD", "POST"])
def job_orders(request):
    form = JobOrderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        order = agencies.create_job_order(
            organisation=request.organisation, created_by=request.user, data=form.cleaned_data
        )
        messages.success(request, _("求人票「%(title)s」を登録しました。") % {"title": order.title})
        return redirect("agency:job_orders")
    status = request.GET.get("status", JobOrder.Status.OPEN)
    orders = agencies.agency_job_orders(request.organisation)
    if status in JobOrder.Status.values:
        orders = orders.filter(status=status)
    return render(
        request,
        "agency/job_orders.html",
        {"orders": orders, "form": form, "status": status, "statuses": JobOrder.Status.choices, "nav": "jobs"},
    )


@agency_view()
@require_http_methods(["GET", "HEAD", "POST"])
def job_order_edit(request, pk):
    order = _get_job_order_for_user(request, pk)
    form = JobOrderForm(request.POST or None, instance=order)
    if request.method == "POST" and form.is_valid():
        agencies.update_job_order(job_order=order, data=form.cleaned_data)
        messages.success(request, _("求人票「%(title)s」を更新しました。") % {"title": order.title})
        return redirect("agency:job_order_edit", pk=order.pk)
    return render(request, "agency/job_order_edit.html", {"order": order, "form": form, "nav": "jobs"})


@agency_view()
@require_POST
def job_order_status(request, pk):
    order = _get_job_order_for_user(request, pk)
    status = request.POST.get("status")
    if status not in JobOrder.Status.values:
        messages.error(request, _("状況を選び直してください。"))
        return redirect("agency:job_order_edit", pk=order.pk)
    agencies.set_job_order_status(job_order=order, status=status)
    if status == JobOrder.Status.CLOSED:
        messages.success(request, _("求人票「%(title)s」の募集を終了しました。") % {"title": order.title})
    else:
        messages.success(request, _("求人票「%(title)s」の募集を再開しました。") % {"title": order.title})
    return redirect("agency:job_orders")


@agency_view()
def job_order_find(request, pk):
    order = _get_job_order_for_user(request, pk)
    params = agencies.job_order_search_params(order)
    params["job_order"] = order.pk
    return redirect(reverse("agency:search") + "?" + urlencode(params))
