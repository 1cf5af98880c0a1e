"""The development mailbox: only routed when DEBUG is on, so a newcomer can click the links in
the emails the app sends without any mail server."""

from django.shortcuts import get_object_or_404, render

from careerrelay.mailings.models import OutboundEmail


def mailbox(request):
    return render(request, "dev/mailbox.html", {"messages_list": OutboundEmail.objects.all()[:100]})


def message(request, pk):
    return render(request, "dev/message.html", {"message": get_object_or_404(OutboundEmail, pk=pk)})
