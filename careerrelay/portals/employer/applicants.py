"""The employer's own applicants: list, add, edit, delete, CSV import and export.

This is employer workspace data held on the employer's behalf: every applicant and every upload
is reached through a `_get_*_for_user` function filtered by `request.organisation`, so another
company's rows are simply not found (404).
"""

from itertools import islice
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from careerrelay.audit.actor import Actor
from careerrelay.portals.workspace.access import employer_view, forbidden
from careerrelay.talent import exporting, importing, services
from careerrelay.talent.forms import ApplicantForm, ImportForm, MappingForm, NoteForm, UploadForm
from careerrelay.talent.models import Applicant, ApplicantNote, ImportUpload, Stage
from careerrelay.talent.pool_forms import PoolSearchForm, SavedSearchForm, search_params
from careerrelay.talent.pool_search import PoolPage, filter_choices, search_pool
from careerrelay.talent.saved_searches import saved_searches_for

PAGE_SIZE = 50
NAV = "applicants"


def _get_applicant_for_user(request, pk) -> Applicant:
    applicant = services.get_applicant(organisation=request.organisation, pk=pk)
    if applicant is None:
        raise Http404
    return applicant


def _get_note_for_user(request, pk, note_pk) -> ApplicantNote:
    note = services.get_note(applicant=_get_applicant_for_user(request, pk), pk=note_pk)
    if note is None:
        raise Http404
    return note


def _get_upload_for_user(request, pk) -> ImportUpload:
    upload = importing.get_upload(organisation=request.organisation, pk=pk)
    if upload is None:
        raise Http404
    return upload


def _filtered(request):
    organisation = request.organisation
    reasons, tags = filter_choices(organisation.pk)
    form = PoolSearchForm(
        request.GET or None,
        job_titles=services.job_titles_for(organisation),
        reasons=reasons,
        tags=tags,
        auto_id="filter_%s",
    )
    queryset = search_pool(organisation_id=organisation.pk, query=form.pool_query())
    return form, form.is_filtered(), queryset


def _filter_query(request) -> str:
    return urlencode(search_params(request.GET), doseq=True)


# --- List, detail, add, edit, delete ----------------------------------------------------------


@never_cache
@employer_view()
def applicant_list(request):
    form, filtered, queryset = _filtered(request)
    page = PoolPage(queryset, page=request.GET.get("page"), per_page=PAGE_SIZE)
    query = _filter_query(request)
    return render(
        request,
        "employer/applicants/list.html",
        {
            "form": form,
            "filtered": filtered,
            "page": page,
            "total": services.applicants_for(request.organisation).count(),
            "filter_query": query,
            "saved_searches": saved_searches_for(request.organisation),
            "save_form": SavedSearchForm(organisation=request.organisation) if query else None,
            "nav": NAV,
        },
    )


def _detail(request, applicant, *, note_form=None, status=200):
    is_admin = request.membership.is_admin
    notes = [
        (note, services.may_change_note(note=note, user=request.user, is_admin=is_admin))
        for note in services.notes_of(applicant)
    ]
    return render(
        request,
        "employer/applicants/detail.html",
        {
            "applicant": applicant,
            "skills": applicant.skill_set.all(),
            "tags": applicant.tags.all(),
            "notes": notes,
            "note_form": note_form or NoteForm(),
            "applications": services.applications_of(applicant),
            "nav": NAV,
        },
        status=status,
    )


@never_cache
@employer_view()
def applicant_detail(request, pk):
    return _detail(request, _get_applicant_for_user(request, pk))


# --- Evaluation notes -------------------------------------------------------------------------


@employer_view()
@require_POST
def note_add(request, pk):
    applicant = _get_applicant_for_user(request, pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _detail(request, applicant, note_form=form, status=400)
    services.add_note(applicant=applicant, body=form.cleaned_data["body"], actor=Actor.from_request(request))
    messages.success(request, _("評価コメントを追加しました。"))
    return redirect(f"{reverse('employer:applicant_detail', args=[applicant.pk])}#notes-heading")


@never_cache
@employer_view()
@require_http_methods(["GET", "HEAD", "POST"])
def note_edit(request, pk, note_pk):
    note = _get_note_for_user(request, pk, note_pk)
    if not services.may_change_note(note=note, user=request.user, is_admin=request.membership.is_admin):
        return forbidden(request)
    form = NoteForm(request.POST or None, instance=note)
    if request.method == "POST" and form.is_valid():
        services.edit_note(
            note=note,
            body=form.cleaned_data["body"],
            actor=Actor.from_request(request),
            is_admin=request.membership.is_admin,
        )
        messages.success(request, _("評価コメントを更新しました。"))
        return redirect(f"{reverse('employer:applicant_detail', args=[pk])}#notes-heading")
    return render(
        request,
        "employer/applicants/note_form.html",
        {"form": form, "note": note, "applicant": note.applicant, "nav": NAV},
    )


@employer_view()
@require_POST
def note_delete(request, pk, note_pk):
    note = _get_note_for_user(request, pk, note_pk)
    try:
        services.delete_note(note=note, actor=Actor.from_request(request), is_admin=request.membership.is_admin)
    except services.NotYourNote:
        return forbidden(request)
    messages.success(request, _("評価コメントを削除しました。"))
    return redirect(f"{reverse('employer:applicant_detail', args=[pk])}#notes-heading")


@never_cache
@employer_view()
@require_http_methods(["GET", "HEAD", "POST"])
def applicant_add(request):
    form = ApplicantForm(request.POST or None, organisation=request.organisation)
    if request.method == "POST" and form.is_valid():
        try:
            applicant = services.create_applicant(
                organisation=request.organisation, data=form.cleaned_data, actor=Actor.from_request(request)
            )
        except services.DuplicateApplicant as exc:
            form.add_error(exc.field, str(exc))
        else:
            messages.success(request, _("%(name)s さんを登録しました。") % {"name": applicant.full_name})
            if "add_another" in request.POST:
                return redirect("employer:applicant_add")
            return redirect("employer:applicant_detail", pk=applicant.pk)
    return render(request, "employer/applicants/form.html", {"form": form, "applicant": None, "nav": NAV})


@never_cache
@employer_view()
@require_http_methods(["GET", "HEAD", "POST"])
def applicant_edit(request, pk):
    applicant = _get_applicant_for_user(request, pk)
    form = ApplicantForm(request.POST or None, instance=applicant, organisation=request.organisation)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_applicant(applicant=applicant, data=form.cleaned_data, actor=Actor.from_request(request))
        except services.DuplicateApplicant as exc:
            form.add_error(exc.field, str(exc))
        else:
            messages.success(request, _("%(name)s さんの情報を更新しました。") % {"name": applicant.full_name})
            return redirect("employer:applicant_detail", pk=applicant.pk)
    return render(request, "employer/applicants/form.html", {"form": form, "applicant": applicant, "nav": NAV})


@employer_view()
@require_POST
def applicant_delete(request, pk):
    applicant = _get_applicant_for_user(request, pk)
    name = applicant.full_name
    services.delete_applicant(applicant=applicant, actor=Actor.from_request(request))
    messages.success(request, _("%(name)s さんを削除しました。") % {"name": name})
    return redirect("employer:applicants")


# --- Export -----------------------------------------------------------------------------------


@never_cache
@employer_view()
def applicant_export(request):
    encoding = request.GET.get("encoding", "utf-8")
    if encoding not in exporting.ENCODINGS:
        encoding = "utf-8"
    _form, _is_filtered, queryset = _filtered(request)
    table = exporting.rows(queryset.order_by("created_at", "id"))
    if encoding == "cp932" and request.GET.get("lossy") != "1":
        problems = exporting.unencodable_cells(table, "cp932")
        if problems:
            query = _filter_query(request)
            return render(
                request,
                "employer/applicants/export_unencodable.html",
                {
                    "problems": problems,
                    "utf8_query": "&".join(filter(None, [query, "encoding=utf-8"])),
                    "lossy_query": "&".join(filter(None, [query, "encoding=cp932", "lossy=1"])),
                    "nav": NAV,
                },
            )
    response = HttpResponse(
        exporting.encode(table, encoding),
        content_type=f"text/csv; charset={'utf-8' if encoding == 'utf-8' else 'shift_jis'}",
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    suffix = "" if encoding == "utf-8" else "-sjis"
    response["Content-Disposition"] = f'attachment; filename="applicants-{stamp}{suffix}.csv"'
    return response


# --- Import: upload -> mapping -> preview and report -> import ------------------------------


@never_cache
@employer_view()
@require_http_methods(["GET", "HEAD", "POST"])
def import_upload(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        if file.size > importing.MAX_UPLOAD_BYTES:
            form.add_error("file", _("ファイルが大きすぎます（20MBまで）。"))
        else:
            try:
                upload = importing.store_upload(
                    organisation=request.organisation, user=request.user, filename=file.name, data=file.read()
                )
            except importing.UnreadableFile as exc:
                form.add_error("file", str(exc))
            else:
                return redirect("employer:applicant_import_mapping", pk=upload.pk)
    return render(request, "employer/applicants/import_upload.html", {"form": form, "nav": NAV})


@never_cache
@employer_view()
@require_http_methods(["GET", "HEAD", "POST"])
def import_mapping(request, pk):
    upload = _get_upload_for_user(request, pk)
    headers = importing.upload_headers(upload)
    form = MappingForm(request.POST or None, headers=headers, columns=upload.columns)
    if request.method == "POST" and form.is_valid():
        importing.set_columns(upload=upload, columns=form.cleaned_data["columns"])
        return redirect("employer:applicant_import_preview", pk=upload.pk)
    sample = [cells for _line, cells in islice(importing.read_rows(upload.text, upload.delimiter), 4)]
    return render(
        request,
        "employer/applicants/import_mapping.html",
        {"upload": upload, "form": form, "headers": headers, "sample": sample[1:], "nav": NAV},
    )


def _preview_context(upload, validation, **extra):
    problems = {p.line: p.reasons for p in validation.problems}
    warnings = {p.line: p.reasons for p in validation.warnings}
    valid = dict(validation.valid)
    preview = []
    for line, _raw in importing.upload_records(upload):
        if len(preview) >= importing.PREVIEW_ROWS:
            break
        data = valid.get(line)
        stage = Stage(data["stage"]).label if data else ""
        preview.append(
            {
                "line": line,
                "data": data,
                "stage": stage,
                "reasons": problems.get(line),
                "plan": validation.plans.get(line, ""),
                "warnings": warnings.get(line),
            }
        )
    return {
        "upload": upload,
        "preview": preview,
        "problems": validation.problems,
        "warnings": validation.warnings,
        "to_create": validation.to_create,
        "to_update": validation.to_update,
        "applying_again": validation.applying_again,
        "valid_count": len(validation.valid),
        "skip_lines": ",".join(str(p.line) for p in validation.problems),
        "nav": NAV,
        **extra,
    }


@never_cache
@employer_view()
@require_http_methods(["GET", "HEAD", "POST"])
def import_preview(request, pk):
    upload = _get_upload_for_user(request, pk)
    if importing.missing_columns(upload.columns):
        return redirect("employer:applicant_import_mapping", pk=upload.pk)
    refused = None
    if request.method == "POST":
        form = ImportForm(request.POST)
        if not form.is_valid():
            messages.error(request, form.errors["skip_lines"][0])
        else:
            try:
                result = importing.import_upload(
                    upload=upload, skip=form.cleaned_data["skip_lines"], actor=Actor.from_request(request)
                )
            except services.ImportRefused as exc:
                refused = exc
            except services.ImportCollided as exc:
                messages.error(request, str(exc))
            else:
                summary = _(
                    "新規登録 %(created)d人・更新 %(updated)d人（うち再応募 %(again)d人）・変更なし %(unchanged)d人。"
                ) % {
                    "created": result.created,
                    "updated": result.updated,
                    "again": result.applied_again,
                    "unchanged": result.unchanged,
                }
                if result.skipped:
                    summary += " " + _("エラーのあった%(skipped)d行はスキップしました。") % {
                        "skipped": len(result.skipped)
                    }
                messages.success(request, _("取り込みました。") + summary)
                return redirect("employer:applicants")
    validation = refused.validation if refused else importing.validate_upload(upload)
    status = 400 if refused else 200
    return render(
        request,
        "employer/applicants/import_preview.html",
        _preview_context(upload, validation, refused=refused),
        status=status,
    )


@employer_view()
@require_POST
def import_cancel(request, pk):
    upload = _get_upload_for_user(request, pk)
    upload.delete()
    messages.success(request, _("取り込みを中止しました。アップロードしたファイルは削除しました。"))
    return redirect("employer:applicants")
