from django.urls import path

from careerrelay.portals.employer import free_referrals

urlpatterns = [
    path("", free_referrals.index, name="free_referrals"),
    path("new/", free_referrals.new, name="free_referral_new"),
    path("<uuid:public_id>/", free_referrals.detail, name="free_referral"),
    path("proposals/<int:pk>/confirm/", free_referrals.confirm, name="free_referral_confirm"),
    path("proposals/<int:pk>/decline/", free_referrals.decline, name="free_referral_decline"),
    path("introductions/", free_referrals.introductions, name="company_introductions"),
    path("introductions/<uuid:public_id>/", free_referrals.introduction, name="company_introduction"),
]
