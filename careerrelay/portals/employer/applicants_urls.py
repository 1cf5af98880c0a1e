from django.urls import path

from careerrelay.portals.employer import applicants, pool

urlpatterns = [
    path("", applicants.applicant_list, name="applicants"),
    path("new/", applicants.applicant_add, name="applicant_add"),
    path("export/", applicants.applicant_export, name="applicant_export"),
    path("import/", applicants.import_upload, name="applicant_import"),
    path("import/<uuid:pk>/mapping/", applicants.import_mapping, name="applicant_import_mapping"),
    path("import/<uuid:pk>/preview/", applicants.import_preview, name="applicant_import_preview"),
    path("import/<uuid:pk>/cancel/", applicants.import_cancel, name="applicant_import_cancel"),
    path("<int:pk>/", applicants.applicant_detail, name="applicant_detail"),
    path("<int:pk>/edit/", applicants.applicant_edit, name="applicant_edit"),
    path("<int:pk>/delete/", applicants.applicant_delete, name="applicant_delete"),
    path("<int:pk>/notes/", applicants.note_add, name="applicant_note_add"),
    path("<int:pk>/notes/<int:note_pk>/edit/", applicants.note_edit, name="applicant_note_edit"),
    path("<int:pk>/notes/<int:note_pk>/delete/", applicants.note_delete, name="applicant_note_delete"),
    path("<int:pk>/similar/", pool.applicant_similar, name="applicant_similar"),
    path("saved-searches/", pool.saved_search_add, name="saved_search_add"),
    path("saved-searches/<int:pk>/", pool.saved_search_run, name="saved_search_run"),
    path("saved-searches/<int:pk>/delete/", pool.saved_search_delete, name="saved_search_delete"),
]
