from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from careerrelay.accounts.models import User
from careerrelay.organisations.admin import MembershipRemovalThroughService, remove_memberships_of
from careerrelay.organisations.models import Membership

admin.site.site_header = _("キャリアリレー 運営コンソール")
admin.site.site_title = _("キャリアリレー 運営")
admin.site.index_title = _("運営メニュー")


@secure_admin_login
def console_login(request, extra_context=None):
    """The console has no login form of its own: staff sign in through allauth's login like
    everyone else, with its failed-login lock and the second-factor step (secure_admin_login
    sends them there, and refuses a signed-in non-staff user with 403 rather than sending them
    round in circles). Staff already signed in go on to the console: admin's own form, which
    would sign in whoever's password is posted to it, is never reached."""
    return redirect("admin:index")


admin.site.login = console_login


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "name")


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    fields = ("organisation", "role", "created_at")
    readonly_fields = ("created_at",)
    raw_id_fields = ("organisation",)
    verbose_name = _("所属")
    verbose_name_plural = _("所属")


@admin.register(User)
class UserAdmin(MembershipRemovalThroughService, BaseUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    ordering = ("email",)
    list_display = ("email", "name", "is_staff", "is_superuser", "is_active", "date_joined", "last_login")
    list_filter = ("is_staff", "is_superuser", "is_active")
    search_fields = ("email", "name")
    readonly_fields = ("date_joined", "last_login")
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("email", "name", "password")}),
        (_("権限"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("記録"), {"fields": ("date_joined", "last_login")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "name", "usable_password", "password1", "password2")}),
    )

    def delete_model(self, request, obj):
        remove_memberships_of([obj], request)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        remove_memberships_of(list(queryset), request)
        super().delete_queryset(request, queryset)
