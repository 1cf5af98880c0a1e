"""The notifications page of a workspace: what happened
(newest first; opening the page marks it read) and which kinds also come by email, in which
language. Everyone manages only their own list and switches."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from careerrelay.notifications import services as notifications
from careerrelay.notifications.models import Kind

LIST_LENGTH = 50


class PreferencesForm(forms.Form):
    language = forms.ChoiceField(label=gettext_lazy("メールの言語"), choices=settings.LANGUAGES)

    def __init__(self, *args, kinds, user, **kwargs):
        initial = {"language": user.language}
        initial.update({kind: notifications.email_enabled(user, kind) for kind in kinds})
        super().__init__(*args, initial=initial, **kwargs)
        self.kinds = list(kinds)
        for kind in self.kinds:
            self.fields[kind] = forms.BooleanField(label=Kind(kind).label, required=False)

    def kind_fields(self):
        return [self[kind] for kind in self.kinds]


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def notifications_page(request):
    workspace = request.workspace
    kinds = workspace.notification_kinds
    form = PreferencesForm(request.POST or None, kinds=kinds, user=request.user)
    if request.method == "POST" and form.is_valid():
        notifications.save_preferences(
            user=request.user,
            kinds=kinds,
            enabled={kind for kind in kinds if form.cleaned_data[kind]},
            language=form.cleaned_data["language"],
        )
        messages.success(request, _("通知の設定を保存しました。"))
        return redirect(workspace.urls["notifications"])
    items = list(notifications.notifications_for(request.user)[:LIST_LENGTH])
    notifications.mark_all_read(request.user)
    return render(
        request,
        "notifications/page.html",
        {"base_template": workspace.base_template, "items": items, "form": form, "nav": "notifications"},
    )
