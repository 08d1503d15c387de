"""The promotion log: staff record communication actions; the objectives indicators read them.

Writes go through ``action_save`` / ``action_delete`` (audited). Reads for other apps are in
``showcase.selectors`` (``promotion_actions``, ``communication_actions``, ``media_coverage``,
``trade_fairs_and_missions``, ``promotion_summary``).
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from grappe.accounts import permissions
from grappe.core.audit import audit_log, diff, snapshot
from grappe.showcase.models import CommunicationAction


@transaction.atomic
def action_save(*, actor: Any, action: CommunicationAction, organisations: list | None = None) -> CommunicationAction:
    if not permissions.can_manage_promotion(actor):
        raise PermissionDenied
    created = action.pk is None
    before = {} if created else snapshot(CommunicationAction.objects.get(pk=action.pk))
    if created:
        action.created_by = actor
    action.full_clean()
    action.save()
    if organisations is not None:
        action.organisations.set(organisations)
    audit_log(
        actor=actor,
        action="showcase.communication_action." + ("created" if created else "updated"),
        obj=action,
        changes=diff(before, snapshot(action)),
    )
    return action


@transaction.atomic
def action_delete(*, actor: Any, action: CommunicationAction) -> None:
    if not permissions.can_manage_promotion(actor):
        raise PermissionDenied
    audit_log(actor=actor, action="showcase.communication_action.deleted", obj=action, changes=snapshot(action))
    action.delete()
