from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.views.main import SEARCH_VAR

from careerrelay.audit.models import AuditEvent
from careerrelay.audit.services import Action, Actor, record_event
from careerrelay.common.tokens import pseudonym


def search_digest(query: str) -> str:
    """A search typed by staff often is a person's name: the audit log keeps a keyed hash of it
    (enough to check a suspected query later) and never the words themselves."""
    return pseudonym(query.strip(), "audit:search") if query.strip() else ""


class AuditedAdminMixin:
    """For ModelAdmins that show candidate data: every list, view, change and action by staff
    leaves an AuditEvent per candidate concerned (who, what, when, from where).

    Override `audit_subject_key(obj)` when the object is not the Candidate itself."""

    audit_object_type = None

    def audit_subject_key(self, obj):
        return getattr(obj, "public_id", None) or obj.candidate.public_id

    def _audit(self, request, action, obj=None, **detail):
        record_event(
            actor=Actor.from_request(request),
            action=action,
            subject_key=self.audit_subject_key(obj) if obj is not None else None,
            object_type=self.audit_object_type or self.model._meta.model_name,
            object_id=obj.pk if obj is not None else "",
            **detail,
        )

    def _audit_rows(self, request, action, objects, **detail):
        actor = Actor.from_request(request)
        AuditEvent.objects.bulk_create(
            AuditEvent(
                actor_user=actor.user,
                actor_kind=actor.kind,
                action=action,
                subject_key=self.audit_subject_key(obj),
                object_type=self.audit_object_type or self.model._meta.model_name,
                object_id=str(obj.pk),
                detail=detail,
                ip=actor.ip,
                user_agent=actor.user_agent,
            )
            for obj in objects
        )

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl") if hasattr(response, "context_data") else None
        if changelist is not None and request.method == "GET":
            params = {k: v for k, v in request.GET.items() if k != SEARCH_VAR}
            self._audit_rows(
                request,
                Action.LIST,
                list(changelist.result_list),
                filters=params,
                search=search_digest(request.GET.get(SEARCH_VAR, "")),
            )
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        obj = self.get_object(request, admin.utils.unquote(object_id))
        if obj is not None and getattr(response, "status_code", 200) < 400:
            self._audit(request, Action.VIEW if request.method in ("GET", "HEAD") else Action.CHANGE, obj)
        return response

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        obj = self.get_object(request, admin.utils.unquote(object_id))
        if obj is not None and getattr(response, "status_code", 200) < 400:
            self._audit(request, Action.VIEW, obj, page="history")
        return response

    def response_action(self, request, queryset):
        selected = request.POST.getlist(ACTION_CHECKBOX_NAME)
        if not request.POST.get("select_across"):
            queryset = queryset.filter(pk__in=selected)
        objects = list(queryset)
        response = super().response_action(request, queryset)
        self._audit_rows(request, Action.STAFF_ACTION, objects, admin_action=request.POST.get("action", ""))
        return response


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only for everybody, superusers included: the log is evidence."""

    list_display = ("created_at", "actor_kind", "actor_user", "organisation", "action", "subject_key", "ip")
    list_filter = ("actor_kind", "action", "organisation", ("created_at", admin.DateFieldListFilter))
    search_fields = ("=subject_key", "actor_user__email", "=ip", "=object_id")
    list_select_related = ("actor_user", "organisation")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in AuditEvent._meta.fields]
    show_full_result_count = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}
