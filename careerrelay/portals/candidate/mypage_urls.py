"""The candidate's own pages under /me/ (namespace "candidate").

Other parts of the candidate's area (consents, provision records, export, deletion) add their
patterns between the marked lines, each view wrapped in auth.candidate_required.
"""

from django.urls import path

from careerrelay.portals.candidate import mypage

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
    path("introductions/", mypage.introductions, name="introductions"),
    # === Patterns added by the privacy part (consents, provision records, export, deletion) ===
    # === end of added patterns ===
]
