"""Saved pool searches: a company's named list-page queries, shared by all its members."""

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from careerrelay.audit.actor import Actor
from careerrelay.organisations.models import Organisation
from careerrelay.talent.models import SavedSearch


class NameTaken(Exception):
    pass


def saved_searches_for(organisation: Organisation) -> QuerySet[SavedSearch]:
    return SavedSearch.objects.filter(organisation=organisation).select_related("created_by")


def get_saved_search(*, organisation: Organisation, pk) -> SavedSearch | None:
    return saved_searches_for(organisation).filter(pk=pk).first()


def save_search(*, organisation: Organisation, actor: Actor, name: str, params: dict[str, list[str]]) -> SavedSearch:
    try:
        with transaction.atomic():
            return SavedSearch.objects.create(
                organisation=organisation, created_by=actor.user, name=name, params=params
            )
    except IntegrityError:
        # Two saves of one name at once: the unique constraint decides, as the form's check would.
        raise NameTaken(name) from None


def may_delete(saved: SavedSearch, *, user, is_admin: bool) -> bool:
    """The member who saved it, or an administrator of the company."""
    return is_admin or (saved.created_by_id is not None and saved.created_by_id == user.pk)


def delete_saved_search(*, saved: SavedSearch, actor: Actor) -> None:
    saved.delete()
