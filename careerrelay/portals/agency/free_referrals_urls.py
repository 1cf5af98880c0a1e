from django.urls import path

from careerrelay.portals.agency import matching

urlpatterns = [
    path("", matching.free_referrals, name="free_referrals"),
    path("<uuid:public_id>/", matching.free_referral, name="free_referral"),
    path("<uuid:public_id>/claim/", matching.free_referral_claim, name="free_referral_claim"),
    path("<uuid:public_id>/release/", matching.free_referral_release, name="free_referral_release"),
]
