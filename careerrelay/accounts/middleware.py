from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _


def has_second_factor(user) -> bool:
    return Authenticator.objects.filter(
        user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    ).exists()


class OperatorConsoleRequiresMFA:
    """Staff reach the operator console only once they have a second factor (an authenticator
    app or a security key). Sign-in goes through allauth's login, which asks for that factor
    of every user who has one, so a console session has always passed it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.is_staff
            and request.path_info.startswith(reverse("admin:index"))
            and not has_second_factor(user)
        ):
            messages.warning(
                request,
                _(
                    "運営コンソールを使うには二段階認証が必要です。認証アプリ(またはセキュリティキー)を設定してから、もう一度開いてください。"
                ),
            )
            return redirect("mfa_index")
        return self.get_response(request)
