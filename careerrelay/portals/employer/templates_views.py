"""Rejection templates in the employer workspace: list, create (from a preset), edit with live
preview, delete, and "copy for my ATS".

Presets are shared read-only rows; an employer's own templates are reached only through
`_get_template_for_user`, which filters by the request's organisation, so another company's
templates (and applicants, in the preview) are simply not found.
"""

from django.conf import settings
from django.contrib import messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from careerrelay.portals.workspace.access import employer_view
from careerrelay.rejections import services
from careerrelay.rejections.forms import RejectionTemplateForm
from careerrelay.rejections.models import RejectionTemplate
from careerrelay.relay.models import RelayCampaign
from careerrelay.surveys.services import preview_survey_url
from careerrelay.talent.models import Applicant

PREVIEW_APPLICANTS = 200  # the most recent ones are offered in the editor's preview list


# --- Tenant scope -----------------------------------------------------------------------------


def _get_template_for_user(request, pk, *, editable=False) -> RejectionTemplate:
    """A template the organisation may read (a preset or its own), or only its own when editing."""
    scope = Q(organisation=request.organisation)
    if not editable:
        scope |= Q(organisation=None)
    return get_object_or_404(RejectionTemplate.objects.filter(scope), pk=pk)


def _get_applicant_for_user(request, pk) -> Applicant:
    return get_object_or_404(Applicant, organisation=request.organisation, pk=pk)


def _relay_url(organisation) -> str:
    """The default relay link while it works, else the first active one."""
    campaigns = list(RelayCampaign.objects.filter(organisation=organisation, is_active=True))
    campaign = next((c for c in campaigns if c.is_default), campaigns[0] if campaigns else None)
    return campaign.url if campaign else ""


def _sample_applicant(organisation) -> Applicant:
    return Applicant(organisation=organisation, family_name=_("山田"), given_name=_("花子"), job_title=_("営業職"))


def _preview_applicant(request):
    pk = request.POST.get("preview_applicant") or request.GET.get("preview_applicant")
    if pk:
        try:
            pk = int(pk)
        except ValueError:
            raise Http404 from None
        return _get_applicant_for_user(request, pk)
    return _sample_applicant(request.organisation)


def _applicant_choices(organisation):
    return Applicant.objects.filter(organisation=organisation).only("id", "family_name", "given_name", "job_title")[
        :PREVIEW_APPLICANTS
    ]


def _render_preview(request, *, subject, body, language):
    """Problems and the rendered message (both parts, as sent) for what is in the editor now,
    saved or not."""
    problems = services.validate_template(subject, body, organisation=request.organisation)
    if language not in RejectionTemplate.Language.values:
        language = RejectionTemplate.Language.JA
    template = RejectionTemplate(subject=subject, body=body, language=language)
    relay_url = _relay_url(request.organisation)
    message = services.render_rejection(
        template,
        applicant=_preview_applicant(request),
        organisation=request.organisation,
        relay_url=relay_url or _("（リレーリンクがまだありません）"),
        sender_name=request.user.name,
        unsubscribe_url=settings.SITE_URL + "/…/unsubscribe",
        survey_url=preview_survey_url(),
    )
    return {"problems": problems, "message": message, "has_relay_url": bool(relay_url)}


def _editor_context(request, form, *, template=None, preview=None):
    return {
        "form": form,
        "template": template,
        "preview": preview,
        "applicants": _applicant_choices(request.organisation),
        "selected_applicant": request.POST.get("preview_applicant") or request.GET.get("preview_applicant") or "",
        "variables": services.VARIABLES.items(),
        "nav": "templates",
    }


def _form_preview(request, form):
    data = form.data
    return _render_preview(
        request,
        subject=data.get("subject", ""),
        body=data.get("body", ""),
        language=data.get("language", "ja"),
    )


# --- Views ------------------------------------------------------------------------------------


@employer_view()
def template_list(request):
    templates = services.templates_for_organisation(request.organisation)
    presets = [t for t in templates if t.is_preset]
    own = [t for t in templates if not t.is_preset]
    return render(
        request,
        "employer/rejection_templates/list.html",
        {"presets": presets, "own": own, "nav": "templates"},
    )


@employer_view()
@require_http_methods(["GET", "HEAD", "POST"])
def template_create(request):
    if request.method == "POST":
        form = RejectionTemplateForm(request.POST, organisation=request.organisation)
        if request.POST.get("action") == "preview":
            form.is_valid()
            return render(
                request,
                "employer/rejection_templates/edit.html",
                _editor_context(request, form, preview=_form_preview(request, form)),
            )
        if form.is_valid():
            template = services.create_template(organisation=request.organisation, **form.cleaned_data)
            messages.success(request, _("テンプレートを保存しました。"))
            return redirect("employer:template_edit", template.pk)
    else:
        initial = {"language": RejectionTemplate.Language.JA}
        source_pk = request.GET.get("from")
        if source_pk and source_pk.isdigit():
            source = _get_template_for_user(request, int(source_pk))
            initial = {
                "name": _("%(name)s（コピー）") % {"name": source.name},
                "language": source.language,
                "subject": source.subject,
                "body": source.body,
            }
        form = RejectionTemplateForm(initial=initial, organisation=request.organisation)
    preview = _render_preview(
        request,
        subject=form["subject"].value() or "",
        body=form["body"].value() or "",
        language=form["language"].value() or "ja",
    )
    return render(request, "employer/rejection_templates/edit.html", _editor_context(request, form, preview=preview))


@employer_view()
@require_http_methods(["GET", "HEAD", "POST"])
def template_edit(request, pk):
    template = _get_template_for_user(request, pk, editable=True)
    if request.method == "POST":
        form = RejectionTemplateForm(
            request.POST, instance=RejectionTemplate(pk=template.pk), organisation=request.organisation
        )
        if request.POST.get("action") != "preview" and form.is_valid():
            services.update_template(template, **form.cleaned_data)
            messages.success(request, _("テンプレートを保存しました。"))
            if form.warnings:
                for warning in form.warnings:
                    messages.warning(request, warning.message)
            return redirect("employer:template_edit", template.pk)
        form.is_valid()
        preview = _form_preview(request, form)
    else:
        form = RejectionTemplateForm(instance=template, organisation=request.organisation)
        preview = _render_preview(
            request,
            subject=template.subject,
            body=template.body,
            language=template.language,
        )
    return render(
        request,
        "employer/rejection_templates/edit.html",
        _editor_context(request, form, template=template, preview=preview),
    )


@employer_view()
@require_POST
def template_preview(request):
    """The live preview: a fragment with the problems and the message in a sandboxed iframe."""
    preview = _render_preview(
        request,
        subject=request.POST.get("subject", ""),
        body=request.POST.get("body", ""),
        language=request.POST.get("language", "ja"),
    )
    return render(request, "employer/rejection_templates/_preview.html", {"preview": preview})


@employer_view()
@require_http_methods(["GET", "HEAD", "POST"])
def template_delete(request, pk):
    template = _get_template_for_user(request, pk, editable=True)
    if request.method == "POST":
        services.delete_template(template)  # past sends keep their template_name (SET_NULL)
        messages.success(request, _("テンプレート「%(name)s」を削除しました。") % {"name": template.name})
        return redirect("employer:template_list")
    return render(request, "employer/rejection_templates/delete.html", {"template": template, "nav": "templates"})


@employer_view()
def template_ats(request, pk):
    template = _get_template_for_user(request, pk)
    ats = request.GET.get("ats", "generic")
    if ats not in services.ATS_STYLES:
        ats = "generic"
    relay_url = _relay_url(request.organisation)
    copy = services.render_for_ats(
        template,
        organisation=request.organisation,
        relay_url=relay_url or _("（リレーリンクがまだありません）"),
        ats=ats,
    )
    return render(
        request,
        "employer/rejection_templates/ats.html",
        {
            "template": template,
            "copy": copy,
            "style": services.ATS_STYLES[ats],
            "styles": services.ATS_STYLES.values(),
            "has_relay_url": bool(relay_url),
            "nav": "templates",
        },
    )
