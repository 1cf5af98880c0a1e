from django.contrib import admin
from django.db import transaction

from careerrelay.search.models import Synonym
from careerrelay.search.services import forget_synonyms


@admin.register(Synonym)
class SynonymAdmin(admin.ModelAdmin):
    """Staff edit synonyms only here, so the searches' cached synonym map is cleared here, once the
    edit commits (every way the admin writes: save, delete, the bulk delete action)."""

    list_display = ["__str__", "note", "updated_at"]
    search_fields = ["terms", "note"]
    fields = ["terms", "note"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        transaction.on_commit(forget_synonyms)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        transaction.on_commit(forget_synonyms)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        transaction.on_commit(forget_synonyms)
