"""The candidate's own pages under /me/ (namespace "candidate").

Other parts of the candidate's area (consents, provision records, export, deletion) add their
patterns below the marked line, each view wrapped in auth.candidate_required.
"""

from django.urls import path

from careerrelay.portals.candidate import mypage

app_name = "candidate"
urlpatterns = [
    path("", mypage.home, name="home"),
    path("signin/", mypage.signin, name="signin"),
    path("signout/", mypage.signout, name="signout"),
    path("signout/everywhere/", mypage.signout_everywhere, name="signout_everywhere"),
    path("resume/", mypage.home, name="resume"),  # placeholder until the résumé page lands
    path("introductions/", mypage.home, name="introductions"),  # placeholder
    path("account/", mypage.home, name="account"),  # placeholder
    # === Patterns added by the privacy part (consents, provision records, export, deletion) ===
    # === end of added patterns ===
]
