"""The workspace's job list: create, edit, close or reopen a job, and on its page the pool
members worth approaching again for it (talent.reapproach)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from careerrelay.audit.actor import Actor
from careerrelay.portals.workspace.access import employer_view
from careerrelay.talent import jobs
from careerrelay.talent.models import Job
from careerrelay.talent.pool_forms import JobForm
from careerrelay.talent.reapproach import suggestions_for

NAV = "jobs"


def _get_job_for_user(request, pk) -> Job:
    job = jobs.get_job(organisation=request.organisation, pk=pk)
    if job is None:
        raise Http404
    return job


@never_cache
@employer_view()
def job_list(request):
    return render(request, "employer/jobs/list.html", {"jobs": jobs.jobs_for(request.organisation), "nav": NAV})


@never_cache
@employer_view()
@require_http_methods(["GET", "HEAD", "POST"])
def job_add(request):
    form = JobForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        job = jobs.create_job(
            organisation=request.organisation, actor=Actor.from_request(request), data=form.cleaned_data
        )
        messages.success(request, _("求人「%(title)s」を登録しました。") % {"title": job.title})
        return redirect("employer:job_detail", pk=job.pk)
    return render(request, "employer/jobs/form.html", {"form": form, "job": None, "nav": NAV})


@never_cache
@employer_view()
@require_http_methods(["GET", "HEAD", "POST"])
def job_edit(request, pk):
    job = _get_job_for_user(request, pk)
    form = JobForm(request.POST or None, instance=job)
    if request.method == "POST" and form.is_valid():
        jobs.update_job(job=job, actor=Actor.from_request(request), data=form.cleaned_data)
        messages.success(request, _("求人「%(title)s」を更新しました。") % {"title": job.title})
        return redirect("employer:job_detail", pk=job.pk)
    return render(request, "employer/jobs/form.html", {"form": form, "job": job, "nav": NAV})


@never_cache
@employer_view()
def job_detail(request, pk):
    job = _get_job_for_user(request, pk)
    suggestions = suggestions_for(job) if job.status == Job.Status.OPEN else []
    return render(request, "employer/jobs/detail.html", {"job": job, "suggestions": suggestions, "nav": NAV})


@employer_view()
@require_POST
def job_close(request, pk):
    job = _get_job_for_user(request, pk)
    jobs.close_job(job=job, actor=Actor.from_request(request))
    messages.success(request, _("求人「%(title)s」の募集を終了しました。") % {"title": job.title})
    return redirect("employer:job_detail", pk=job.pk)


@employer_view()
@require_POST
def job_reopen(request, pk):
    job = _get_job_for_user(request, pk)
    jobs.reopen_job(job=job, actor=Actor.from_request(request))
    messages.success(request, _("求人「%(title)s」の募集を再開しました。") % {"title": job.title})
    return redirect("employer:job_detail", pk=job.pk)
