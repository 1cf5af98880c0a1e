from django.urls import path

from careerrelay.outbox import dev_views

app_name = "dev"
urlpatterns = [
    path("mailbox/", dev_views.mailbox, name="mailbox"),
    path("mailbox/<int:pk>/", dev_views.message, name="message"),
]
