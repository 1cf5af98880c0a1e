"""Sending rejection emails from CareerRelay: choose applicants, preview each message, send now
or schedule, follow the progress, cancel what has not gone out.

Included from careerrelay/portals/employer/urls.py under "sends/" (names in the employer
namespace). Every send is reached through `_get_send_for_user`, filtered by the request's
organisation, so another company's sends are simply not found (404).
"""

from csp.constants import SELF
from csp.decorators import csp_replace
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_http_methods, require_POST

from careerrelay.common.http import object_id
from careerrelay.outbox.models import DeliveryStatus, OutboundEmail
from careerrelay.portals.workspace.access import employer_view
from careerrelay.rejections.services import templates_for_organisation
from careerrelay.relay.figures import threshold as figure_threshold
from careerrelay.sends import services as sends
from careerrelay.sends import trust
from careerrelay.sends.forms import MAX_LISTED, RecipientFilterForm, SendForm
from careerrelay.sends.models import Send

NAV = "sends"
RECIPIENTS_PAGE = 100


def _get_send_for_user(request, pk) -> Send:
    return get_object_or_404(Send.objects.select_related("campaign"), organisation=request.organisation, pk=pk)


def _filter_form(request, data):
    # Unfiltered, the page leaves out whoever already received a rejection email from the company.
    return RecipientFilterForm(data or {"not_yet_sent": "on"}, organisation=request.organisation, auto_id="filter_%s")


def _get_template_for_user(request, pk):
    return get_object_or_404(templates_for_organisation(request.organisation), pk=object_id(pk))


@employer_view()
def send_list(request):
    own_sends = sends.with_message_counts(Send.objects.filter(organisation=request.organisation))
    page = Paginator(own_sends, 30).get_page(request.GET.get("page"))
    rows = [(send, sends.count_messages(send)) for send in page]
    return render(request, "employer/sends/list.html", {"nav": NAV, "page": page, "rows": rows})


@never_cache
@employer_view()
@require_http_methods(["GET", "HEAD", "POST"])
def send_create(request):
    """GET: filters and the form. POST step=preview: every message, ready to check. POST
    step=send: the send is created. POST step=edit: back to the form with what was chosen.
    POST step=preview_now: a time that has passed was given; go on as "now"."""
    filter_form = _filter_form(request, request.POST if request.method == "POST" else request.GET)
    if not filter_form.is_valid():
        return render(request, "employer/sends/new.html", {"nav": NAV, "filter_form": filter_form, "form": None})
    candidates = filter_form.applicants()
    total = candidates.count()
    listed = list(candidates[:MAX_LISTED])
    already_received = filter_form.already_received_ids()
    user = request.user
    initial = {
        "template": sends.default_template(request.organisation),
        "sender_name": user.name or "",
        "signature": request.organisation.name,
        "applicants": [a.pk for a in listed],
    }
    step = request.POST.get("step") if request.method == "POST" else None
    data = request.POST
    if step == "preview_now":
        data = request.POST.copy()
        data["when"] = SendForm.NOW
        step = "preview"
    form = SendForm(data if step else None, organisation=request.organisation, candidates=candidates, initial=initial)
    context = {
        "nav": NAV,
        "filter_form": filter_form,
        "form": form,
        "total": total,
        "listed": listed,
        "max_listed": MAX_LISTED,
        "already_received": already_received,
        # Those who already received one are either left out (the default) or among the recipients.
        "left_out": len(already_received) if filter_form.cleaned_data.get("not_yet_sent") else 0,
        "included_again": 0 if filter_form.cleaned_data.get("not_yet_sent") else len(already_received),
        # Pending approval or suspended: everything can be prepared and previewed, nothing sent.
        "sending_refusal": trust.sending_refusal(request.organisation),
        # Too many complaints: a send can still be made, and waits until an operator lifts the pause.
        "sending_paused": trust.is_paused(request.organisation.pk),
        "quota": trust.quota(request.organisation),
        "max_recipients": settings.MAIL_MAX_RECIPIENTS_PER_SEND,
    }
    if step in ("preview", "send") and form.is_valid():
        recipients = form.recipients()
        template = form.cleaned_data["template"]
        schedule = form.schedule()
        if len(recipients) > settings.MAIL_MAX_RECIPIENTS_PER_SEND:
            form.add_error(
                None,
                _("1回の送信の宛先は %(max)s 件までです。絞り込んでから、何回かに分けて送信してください。")
                % {"max": settings.MAIL_MAX_RECIPIENTS_PER_SEND},
            )
            return render(request, "employer/sends/new.html", context)
        if step == "send" and context["sending_refusal"]:
            messages.error(request, context["sending_refusal"])
            step = "preview"
        if step == "send":
            send = sends.create_send(
                organisation=request.organisation,
                template=template,
                applicants=recipients,
                created_by=user,
                campaign=form.cleaned_data["campaign"],
                sender_name=form.cleaned_data["sender_name"],
                signature=form.cleaned_data["signature"],
                **schedule,
            )
            # What the employer chose decides the wording: a send to go out later is a booking.
            messages.success(request, _("送信を予約しました。") if schedule else _("送信を開始しました。"))
            held = trust.hold_message(send)
            if held:
                messages.warning(request, held)
            return redirect("employer:send_detail", pk=send.pk)
        context["template"] = template
        context["recipients"] = recipients
        context["sent_before"] = [a for a in recipients if a.pk in already_received]
        context["schedule"] = schedule
        return render(request, "employer/sends/confirm.html", context)
    return render(request, "employer/sends/new.html", context)


@never_cache
@xframe_options_sameorigin
@csp_replace({"frame-ancestors": [SELF]})  # framed by the confirm page, like X-Frame-Options above
@employer_view()
def send_preview(request):
    """One message as this applicant would receive it (shown in a frame on the confirm page)."""
    template = _get_template_for_user(request, request.GET.get("template"))
    applicants = sends.applicants_for(request.organisation)
    applicant = get_object_or_404(applicants, pk=object_id(request.GET.get("applicant")))
    campaign = request.organisation.campaigns.filter(pk=object_id(request.GET.get("campaign"))).first()
    rendered = sends.preview_message(
        template=template,
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
    # Only messages not (yet) delivered are listed, by name: the employer needs them to fix an
    # address or see what is still to go. A delivered message is the only kind whose recipient can
    # click or register, so none is listed: no per-recipient click or registration signal exists.
    # A delivered message the provider later reported as delayed is listed too (its retries are
    # the provider's): the address may need fixing.
    undelivered = (
        send.messages.exclude(Q(state=OutboundEmail.State.SENT) & ~Q(delivery_status=DeliveryStatus.DEFERRED))
        .select_related("applicant")
        .order_by("id")
    )
    recipients = Paginator(undelivered, RECIPIENTS_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "employer/sends/detail.html",
        {
            "nav": NAV,
            "send": send,
            "counts": sends.count_messages(send),
            "funnel": sends.campaign_registrations(send),
            "hold_message": trust.hold_message(send),
            "pause_message": trust.pause_message(send),
            "recipients": recipients,
            "threshold": figure_threshold(),
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
            "hold_message": trust.hold_message(send),
            "pause_message": trust.pause_message(send),
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
                )
            },
            # Coarse, like on the page: 「5未満」 rather than a number a poll could watch move by one.
            "clicked": str(counts.clicked_figure),
            "clicked_below_threshold": counts.clicked_figure.below_threshold,
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
