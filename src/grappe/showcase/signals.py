"""Keep the directory search index in step with the ecosystem (every save that changes public data)."""

from typing import Any

from django.db import connection
from django.db.models.signals import m2m_changed, post_delete, post_save

from grappe.core import deferred
from grappe.ecosystem.models import Activity, Competence, Membership, Organisation, Site
from grappe.showcase import search


def _reindex(ids: set[int]) -> None:
    ids = {pk for pk in ids if pk}
    if ids and not deferred.defer(search.index_organisations, ids):  # in an import: once, at its end
        search.index_organisations(ids)


def organisation_saved(sender: Any, instance: Organisation, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        _reindex({instance.pk})


def related_changed(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    organisation_id = getattr(instance, "organisation_id", None)
    if not organisation_id or deferred.defer(search.index_organisations, {organisation_id}):
        return  # indexing a deleted organisation's id at the batch's end only removes its entry
    if Organisation.objects.filter(pk=organisation_id).exists():
        _reindex({organisation_id})


def taxonomy_m2m_changed(sender: Any, instance: Any, action: str, reverse: bool, pk_set: Any, **kwargs: Any) -> None:
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        _reindex({instance.pk})
    elif pk_set:
        _reindex(set(pk_set))


def competence_saved(sender: Any, instance: Competence, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        _reindex(set(instance.organisations.values_list("pk", flat=True)))


def organisation_deleted(sender: Any, instance: Organisation, **kwargs: Any) -> None:
    # The entry went with the organisation (cascade); its FTS row and the workers' bitmaps follow.
    if connection.vendor == "sqlite":
        search._fts_delete([instance.pk])
    search._bump_generation()


def connect() -> None:
    post_save.connect(organisation_saved, sender=Organisation, dispatch_uid="showcase-org")
    for model in (Membership, Site, Activity):
        post_save.connect(related_changed, sender=model, dispatch_uid=f"showcase-save-{model.__name__}")
        post_delete.connect(related_changed, sender=model, dispatch_uid=f"showcase-delete-{model.__name__}")
    for through in (Organisation.segments.through, Organisation.competences.through):
        m2m_changed.connect(taxonomy_m2m_changed, sender=through, dispatch_uid=f"showcase-m2m-{through.__name__}")
    post_save.connect(competence_saved, sender=Competence, dispatch_uid="showcase-competence")
    post_delete.connect(organisation_deleted, sender=Organisation, dispatch_uid="showcase-org-delete")
