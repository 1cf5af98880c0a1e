from django.urls import path

from careerrelay.portals.employer import jobs

urlpatterns = [
    path("", jobs.job_list, name="jobs"),
    path("new/", jobs.job_add, name="job_add"),
    path("<int:pk>/", jobs.job_detail, name="job_detail"),
    path("<int:pk>/edit/", jobs.job_edit, name="job_edit"),
    path("<int:pk>/close/", jobs.job_close, name="job_close"),
    path("<int:pk>/reopen/", jobs.job_reopen, name="job_reopen"),
]
