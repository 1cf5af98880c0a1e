"""Sending rejection emails from CareerRelay: choose applicants, preview each message, send now
or schedule, follow the progress, cancel what has not gone out.

Included from careerrelay/portals/employer/urls.py under "sends/" (names in the employer
namespace). Every send is reached through `_get_send_for_user`, filtered by the request's
organisation, so another company's sends are simply not found (404).
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_http_methods, require_POST

from careerrelay.common.http import object_id
from careerrelay.mailings import sends
from careerrelay.mailings.forms import MAX_LISTED, RecipientFilterForm, SendForm
from careerrelay.mailings.models import Send
from careerrelay.portals.employer.views import employer_view

NAV = "sends"
RECIPIENTS_PAGE = 100


def _get_send_for_user(request, pk) -> Send:
    return get_object_or_404(Send.objects.select_related("campaign"), organisation=request.organisation, pk=pk)


def _filter_form(request, data):
    form = RecipientFilterForm(data, organisation=request.organisation, auto_id="filter_%s")
    if not form.is_bound:
        first = form.fields["template"].queryset.first()
        form = RecipientFilterForm(
            {"template": first.pk if first else "", "not_yet_sent": "on"},
            organisation=request.organisation,
            auto_id="filter_%s",
        )
    return form


@employer_view()
def send_list(request):
    page = Paginator(Send.objects.filter(organisation=request.organisation), 30).get_page(request.GET.get("page"))
    rows = [(send, sends.count_messages(send)) for send in page]
    return render(request, "employer/sends/list.html", {"nav": NAV, "page": page, "rows": rows})


@never_cache
@employer_view()
@require_http_methods(["GET", "HEAD", "POST"])
def send_create(request):
    """GET: filters and the form. POST step=preview: every message, ready to check. POST
    step=send: the send is created. POST step=edit: back to the form with what was chosen."""
    filter_form = _filter_form(request, request.POST if request.method == "POST" else (request.GET or None))
    if not filter_form.is_valid():
        return render(request, "employer/sends/new.html", {"nav": NAV, "filter_form": filter_form, "form": None})
    template = filter_form.cleaned_data["template"]
    candidates = filter_form.applicants()
    total = candidates.count()
    listed = list(candidates[:MAX_LISTED])
    user = request.user
    initial = {
        "sender_name": user.name or "",
        "signature": request.organisation.name,
        "applicants": [a.pk for a in listed],
    }
    step = request.POST.get("step") if request.method == "POST" else None
    form = SendForm(
        request.POST if step else None, organisation=request.organisation, candidates=candidates, initial=initial
    )
    context = {
        "nav": NAV,
        "filter_form": filter_form,
        "form": form,
        "template": template,
        "total": total,
        "listed": listed,
        "max_listed": MAX_LISTED,
    }
    if step in ("preview", "send") and form.is_valid():
        recipients = form.recipients()
        if step == "send":
            send = sends.create_send(
                organisation=request.organisation,
                template=template,
                applicants=recipients,
                created_by=user,
                campaign=form.cleaned_data["campaign"],
                sender_name=form.cleaned_data["sender_name"],
                signature=form.cleaned_data["signature"],
                **form.schedule(),
            )
            if send.state == Send.State.SCHEDULED:
                messages.success(request, _("送信を予約しました。"))
            else:
                messages.success(request, _("送信を開始しました。"))
            return redirect("employer:send_detail", pk=send.pk)
        context["recipients"] = recipients
        context["schedule"] = form.schedule()
        return render(request, "employer/sends/confirm.html", context)
    return render(request, "employer/sends/new.html", context)


@never_cache
@xframe_options_sameorigin
@employer_view()
def send_preview(request):
    """One message as this applicant would receive it (shown in a frame on the confirm page)."""
    filter_form = _filter_form(request, request.GET)
    if not filter_form.is_valid():
        raise Http404
    applicants = sends.applicants_for(request.organisation)
    applicant = get_object_or_404(applicants, pk=object_id(request.GET.get("applicant")))
    campaign = request.organisation.campaigns.filter(pk=object_id(request.GET.get("campaign"))).first()
    rendered = sends.preview_message(
        template=filter_form.cleaned_data["template"],
        applicant=applicant,
        organisation=request.organisation,
        campaign=campaign,
        sender_name=request.GET.get("sender_name", "")[:100],
        signature=request.GET.get("signature", "")[:2000],
    )
    return render(request, "employer/sends/preview.html", {"rendered": rendered, "applicant": applicant, "nav": NAV})


@employer_view()
def send_detail(request, pk):
    send = _get_send_for_user(request, pk)
    recipients = Paginator(send.messages.select_related("applicant").order_by("id"), RECIPIENTS_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "employer/sends/detail.html",
        {
            "nav": NAV,
            "send": send,
            "counts": sends.count_messages(send),
            "funnel": sends.campaign_registrations(send),
            "recipients": recipients,
        },
    )


@never_cache
@employer_view()
def send_progress(request, pk):
    """Polled by the detail page every couple of seconds."""
    send = _get_send_for_user(request, pk)
    counts = sends.count_messages(send)
    return JsonResponse(
        {
            "state": send.state,
            "state_label": send.get_state_display(),
            "open": send.is_open,
            "percent": counts.percent,
            "finished": counts.finished,
            **{
                name: getattr(counts, name)
                for name in (
                    "recipients",
                    "queued",
                    "sending",
                    "sent",
                    "failed",
                    "bounced",
                    "suppressed",
                    "cancelled",
                    "clicked",
                )
            },
        }
    )


@employer_view()
@require_POST
def send_cancel(request, pk):
    send = _get_send_for_user(request, pk)
    if send.is_open:
        cancelled = sends.cancel_send(send)
        messages.success(request, _("未送信の %(count)s 件を取り消しました。") % {"count": cancelled})
    else:
        messages.info(request, _("この送信はすでに終わっています。"))
    return redirect("employer:send_detail", pk=send.pk)


urlpatterns = [
    path("", send_list, name="sends"),
    path("new/", send_create, name="send_create"),
    path("new/preview/", send_preview, name="send_preview"),
    path("<int:pk>/", send_detail, name="send_detail"),
    path("<int:pk>/progress/", send_progress, name="send_progress"),
    path("<int:pk>/cancel/", send_cancel, name="send_cancel"),
]
