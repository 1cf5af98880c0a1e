"""ATS integrations in the employer workspace: the list and adding one (with its webhook URL and
the set-up steps of its kind), the delivery log with replays, the reason mappings, and
「ATSにコピー」 for reasons the ATS mails itself.

Included from careerrelay/portals/employer/urls.py under "integrations/". Every member reads;
admins add integrations, change mappings and replay deliveries (what is mailed automatically in
the company's name). Objects are reached only through the `_get_*_for_user` helpers, filtered by
the request's organisation, so another company's are simply not found (404).
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from careerrelay.audit.actor import Actor
from careerrelay.integrations import services
from careerrelay.integrations.forms import IntegrationForm, ReasonMappingForm
from careerrelay.integrations.models import Delivery, Integration, ReasonMapping
from careerrelay.organisations.models import Membership
from careerrelay.portals.workspace.access import employer_view
from careerrelay.rejections.services import ATS_STYLES, render_for_ats
from careerrelay.sends.services import default_campaign

NAV = "integrations"
ADMIN = Membership.Role.ADMIN
DOCS = {
    "greenhouse": "docs/integrations/greenhouse.md",
    "lever": "docs/integrations/lever.md",
    "workable": "docs/integrations/workable.md",
    "generic": "docs/integrations/generic.md",
}


def _get_integration_for_user(request, pk) -> Integration:
    return get_object_or_404(services.integrations_for(request.organisation), pk=pk)


def _list_context(request, form=None):
    return {
        "nav": NAV,
        "integrations": services.integrations_for(request.organisation),
        "form": form or IntegrationForm(),
        "is_admin": request.membership.is_admin,
    }


@employer_view()
def integration_list(request):
    return render(request, "employer/integrations/list.html", _list_context(request))


@employer_view(ADMIN)
@require_POST
def integration_create(request):
    form = IntegrationForm(request.POST)
    if not form.is_valid():
        return render(request, "employer/integrations/list.html", _list_context(request, form), status=400)
    integration = services.create_integration(
        organisation=request.organisation, actor=Actor.from_request(request), **form.cleaned_data
    )
    messages.success(
        request,
        _("ATS連携「%(name)s」を追加しました。次の手順でATS側を設定してください。") % {"name": integration.name},
    )
    return redirect("employer:integration_detail", integration.pk)


@employer_view()
def integration_detail(request, pk):
    integration = _get_integration_for_user(request, pk)
    return render(
        request,
        "employer/integrations/detail.html",
        {
            "nav": NAV,
            "integration": integration,
            "webhook_url": services.webhook_url(integration),
            "docs": DOCS[integration.kind],
            "mappings": services.mappings_for(integration),
            "deliveries": services.deliveries_for(integration)[:10],
            "is_admin": request.membership.is_admin,
        },
    )


@employer_view(ADMIN)
@require_POST
def integration_set_active(request, pk):
    integration = _get_integration_for_user(request, pk)
    active = request.POST.get("active") == "1"
    services.set_active(integration=integration, active=active, actor=Actor.from_request(request))
    if active:
        messages.success(request, _("「%(name)s」の受信を再開しました。") % {"name": integration.name})
    else:
        messages.success(request, _("「%(name)s」の受信を停止しました。") % {"name": integration.name})
    return redirect("employer:integration_detail", integration.pk)


@employer_view()
def delivery_list(request, pk):
    integration = _get_integration_for_user(request, pk)
    deliveries = services.deliveries_for(integration)
    outcome = request.GET.get("outcome", "")
    if outcome in Delivery.Outcome.values:
        deliveries = deliveries.filter(outcome=outcome)
    page = Paginator(deliveries, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "employer/integrations/deliveries.html",
        {
            "nav": NAV,
            "integration": integration,
            "page": page,
            "outcome": outcome,
            "outcomes": Delivery.Outcome.choices,
            "is_admin": request.membership.is_admin,
        },
    )


@employer_view(ADMIN)
@require_POST
def delivery_replay(request, pk, delivery_pk):
    integration = _get_integration_for_user(request, pk)
    delivery = get_object_or_404(services.deliveries_for(integration), pk=delivery_pk)
    if services.replay_delivery(delivery=delivery, actor=Actor.from_request(request)):
        messages.success(request, _("受信内容を再処理します。"))
    else:
        messages.error(request, _("この受信内容は再処理できません（処理済み、または保存期間を過ぎています）。"))
    return redirect("employer:integration_deliveries", integration.pk)


def _get_mapping_for_user(request, pk, mapping_pk) -> ReasonMapping:
    integration = _get_integration_for_user(request, pk)
    return get_object_or_404(services.mappings_for(integration), pk=mapping_pk)


def _mapping_initial(mapping: ReasonMapping) -> dict:
    return {
        "reason": mapping.reason_id,
        "action": mapping.action,
        "template": mapping.template_id,
        "delay_business_days": mapping.delay_business_days,
        "send_hour": mapping.send_hour,
        "auto_send": mapping.auto_send,
    }


@employer_view(ADMIN)
@require_http_methods(["GET", "HEAD", "POST"])
def mapping_edit(request, pk, mapping_pk):
    mapping = _get_mapping_for_user(request, pk, mapping_pk)
    organisation = request.organisation
    if request.method == "POST":
        form = ReasonMappingForm(request.POST, organisation=organisation)
        if form.is_valid():
            services.save_mapping(mapping=mapping, actor=Actor.from_request(request), **form.cleaned_data)
            messages.success(request, _("「%(reason)s」の対応を保存しました。") % {"reason": mapping.ats_reason or "—"})
            return redirect("employer:integration_detail", mapping.integration_id)
        status = 400
    else:
        form, status = ReasonMappingForm(organisation=organisation, initial=_mapping_initial(mapping)), 200
    return render(
        request,
        "employer/integrations/mapping.html",
        {"nav": NAV, "form": form, "mapping": mapping, "integration": mapping.integration},
        status=status,
    )


@employer_view()
def mapping_copy(request, pk, mapping_pk):
    """「ATSにコピー」: the mapping's template as text for the ATS's own template, with the relay link."""
    mapping = _get_mapping_for_user(request, pk, mapping_pk)
    organisation = request.organisation
    ats = mapping.integration.kind if mapping.integration.kind in ATS_STYLES else "generic"
    campaign = default_campaign(organisation)
    copy = (
        render_for_ats(mapping.template, organisation=organisation, relay_url=campaign.url if campaign else "", ats=ats)
        if mapping.template is not None
        else None
    )
    return render(
        request,
        "employer/integrations/copy.html",
        {
            "nav": NAV,
            "mapping": mapping,
            "integration": mapping.integration,
            "copy": copy,
            "style": ATS_STYLES[ats],
            "campaign": campaign,
        },
    )
