"""The candidate's own pages under /me/ (namespace "candidate").

Other parts of the candidate's area (consents, provision records, export, deletion) add their
patterns between the marked lines, each view wrapped in auth.candidate_required.
"""

from django.urls import include, path

from careerrelay.portals.candidate import mypage, privacy

app_name = "candidate"
urlpatterns = [
    path("", mypage.home, name="home"),
    path("signin/", mypage.signin, name="signin"),
    path("signin/link/<str:token>/", mypage.signin_link, name="signin_link"),
    path("signout/", mypage.signout, name="signout"),
    path("signout/everywhere/", mypage.signout_everywhere, name="signout_everywhere"),
    path("account/", mypage.account, name="account"),
    path("account/email/<str:token>/", mypage.email_confirm, name="email_confirm"),
    path("resume/", mypage.resume, name="resume"),
    path("resume/download/", mypage.resume_download, name="resume_download"),
    path("resume/delete/", mypage.resume_delete, name="resume_delete"),
    path("introductions/", include("careerrelay.portals.candidate.introductions_urls")),
    # === Patterns added by the privacy part (consents, provision records, export, deletion) ===
    path("consents/", privacy.consents, name="consents"),
    path("consents/renew/", privacy.reconsent, name="reconsent"),
    path("consents/<str:purpose>/grant/", privacy.consent_grant, name="consent_grant"),
    path("consents/<str:purpose>/withdraw/", privacy.consent_withdraw, name="consent_withdraw"),
    path("provisions/", privacy.provisions, name="provisions"),
    path("data/", privacy.data, name="data"),
    path("data/export.json", privacy.data_json, name="data_json"),
    path("data/export.html", privacy.data_html, name="data_html"),
    path("delete/", privacy.delete, name="delete"),
    path("deleted/", privacy.deleted, name="deleted"),
    # === end of added patterns ===
]
