from django import forms
from django.utils.translation import gettext_lazy as _

from careerrelay.common.forms import OneLineField
from careerrelay.common.http import client_ip
from careerrelay.organisations.services import create_employer


class EmployerSignupForm(forms.Form):
    # The company name is the display name in the From header of every mail the company sends.
    company_name = OneLineField(
        label=_("会社名"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "organization"})
    )
    name = OneLineField(label=_("氏名"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "name"}))

    def signup(self, request, user):
        user.name = self.cleaned_data["name"]
        user.save(update_fields=["name"])
        # Self-service: anyone can type any company name, so nothing is sent until an operator
        # has approved the company (and the name).
        create_employer(name=self.cleaned_data["company_name"], admin=user, pending=True, signup_ip=client_ip(request))
