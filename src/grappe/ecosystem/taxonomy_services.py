"""Writes to the taxonomies staff maintain: value chains, segments (with NACE codes), competences, topics.

Same contract as ``services``: keyword-only arguments, validation before saving (``ValidationError``
naming the field), one transaction and one audit entry per call.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from grappe.core.audit import audit_log, diff, snapshot
from grappe.core.text import fold
from grappe.ecosystem.models import Competence, Segment, Topic, ValueChain
from grappe.referential.models import NaceCode


def _action(instance: models.Model, verb: str) -> str:
    return f"ecosystem.{instance._meta.model_name}.{verb}"


def _fill_slug(instance: models.Model) -> None:
    if not getattr(instance, "slug", "x"):
        name = getattr(instance, "name_fr", "") or getattr(instance, "name", "")
        instance.slug = slugify(fold(name))[:80]


def _save[M: models.Model](*, actor: Any, instance: M, fields: dict[str, Any], m2m: dict[str, Any] | None = None) -> M:
    """Apply ``fields``, validate, save, set many-to-many values, audit the diff."""
    created = instance.pk is None
    before = {} if created else snapshot(instance)
    for key, value in fields.items():
        setattr(instance, key, value)
    _fill_slug(instance)
    instance.full_clean()
    instance.save()
    for key, values in (m2m or {}).items():
        getattr(instance, key).set(values)
    changes = diff(before, snapshot(instance))
    if created or changes:
        audit_log(
            actor=actor, action=_action(instance, "created" if created else "updated"), obj=instance, changes=changes
        )
    return instance


@transaction.atomic
def value_chain_save(*, actor: Any, value_chain: ValueChain | None = None, **fields: Any) -> ValueChain:
    """Create (``value_chain=None``) or update a value chain."""
    return _save(actor=actor, instance=value_chain or ValueChain(), fields=fields)


def nace_codes_resolve(codes: list[str], version: str) -> list[NaceCode]:
    """NACE codes written dotted or undotted (any level), or ``ValidationError`` listing the unknown ones."""
    compact = {code: code.replace(".", "").strip().upper() for code in codes if code.strip()}
    found = {n.code: n for n in NaceCode.objects.filter(version=version, code__in=set(compact.values()))}
    unknown = [code for code, c in compact.items() if c not in found]
    if unknown:
        raise ValidationError(
            {
                "nace_codes_text": _("Codes NACE-BEL %(version)s inconnus : %(codes)s.")
                % {"version": version, "codes": ", ".join(unknown)}
            }
        )
    return list({found[c].pk: found[c] for c in compact.values()}.values())


@transaction.atomic
def segment_save(
    *,
    actor: Any,
    segment: Segment | None = None,
    nace_codes: list[str] | None = None,
    nace_version: str = NaceCode.Version.V2025,
    competences: Any = None,
    **fields: Any,
) -> Segment:
    """Create or update a segment; ``nace_codes`` (dotted or not, any level) replace its NACE codes."""
    m2m: dict[str, Any] = {}
    if nace_codes is not None:
        m2m["nace_codes"] = nace_codes_resolve(nace_codes, nace_version)
    if competences is not None:
        m2m["competences"] = competences
    return _save(actor=actor, instance=segment or Segment(), fields=fields, m2m=m2m)


def _check_competence_parent(competence: Competence, parent: Competence | None) -> None:
    node, seen = parent, set()
    while node is not None and node.pk not in seen:
        if competence.pk is not None and node.pk == competence.pk:
            raise ValidationError({"parent": _("Une compétence ne peut pas descendre d'elle-même.")})
        seen.add(node.pk)
        node = node.parent


@transaction.atomic
def competence_save(*, actor: Any, competence: Competence | None = None, **fields: Any) -> Competence:
    """Create or update a competence; its parent may not be itself or one of its descendants."""
    competence = competence or Competence()
    if "parent" in fields:
        _check_competence_parent(competence, fields["parent"])
    return _save(actor=actor, instance=competence, fields=fields)


@transaction.atomic
def topic_save(*, actor: Any, topic: Topic | None = None, **fields: Any) -> Topic:
    return _save(actor=actor, instance=topic or Topic(), fields=fields)


@transaction.atomic
def taxonomy_delete(*, actor: Any, instance: ValueChain | Segment | Competence | Topic) -> None:
    """Delete a taxonomy entry (organisations keep existing; their links to it disappear)."""
    audit_log(actor=actor, action=_action(instance, "deleted"), obj=instance, changes=diff(snapshot(instance), {}))
    instance.delete()
