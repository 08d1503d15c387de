"""Writes of public content: opportunities (posted by members or staff, moderated), news and stories.

Every write is audited. Members' opportunities wait for moderation; staff's are published at once.
The poster's organisation (or staff) edits (a member's edit is moderated again), extends or withdraws one.
A story may start from an innovation ``StoryDraft`` (:func:`take_over_draft`).
"""

from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from grappe.accounts import permissions
from grappe.core.audit import audit_log, diff, snapshot
from grappe.ecosystem.models import Organisation
from grappe.showcase.models import Opportunity, Post


@transaction.atomic
def opportunity_post(*, actor: Any, opportunity: Opportunity) -> Opportunity:
    if not permissions.can_post_opportunity(actor, opportunity.organisation):
        raise PermissionDenied
    opportunity.posted_by = actor
    if permissions.is_staff(actor):
        opportunity.status = Opportunity.Status.PUBLISHED
        opportunity.published_at = timezone.now()
    else:
        opportunity.status = Opportunity.Status.PENDING
        opportunity.published_at = None
    opportunity.full_clean()
    opportunity.save()
    audit_log(
        actor=actor,
        action="showcase.opportunity.posted",
        obj=opportunity,
        organisation_id=opportunity.organisation_id,
        changes=snapshot(opportunity),
    )
    return opportunity


@transaction.atomic
def opportunity_moderate(*, actor: Any, opportunity: Opportunity, publish: bool, note: str = "") -> Opportunity:
    if not permissions.can_manage_public_content(actor):
        raise PermissionDenied
    opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    opportunity.status = Opportunity.Status.PUBLISHED if publish else Opportunity.Status.REJECTED
    opportunity.published_at = timezone.now() if publish else None
    opportunity.moderation_note = note
    opportunity.save(update_fields=["status", "published_at", "moderation_note"])
    audit_log(
        actor=actor,
        action="showcase.opportunity." + ("published" if publish else "rejected"),
        obj=opportunity,
        organisation_id=opportunity.organisation_id,
        message=note,
    )
    return opportunity


def can_change_opportunity(user: Any, opportunity: Opportunity) -> bool:
    """Staff, or a member user of the opportunity's organisation (edit, extend, withdraw)."""
    if permissions.is_staff(user):
        return True
    return opportunity.organisation_id is not None and opportunity.organisation_id in (
        permissions.member_organisation_ids(user)
    )


def _locked(actor: Any, opportunity: Opportunity) -> Opportunity:
    if not can_change_opportunity(actor, opportunity):
        raise PermissionDenied
    current = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    if current.status == Opportunity.Status.WITHDRAWN:
        raise ValidationError(_("Cette opportunité a été retirée : publiez-en une nouvelle."))
    return current


@transaction.atomic
def opportunity_update(*, actor: Any, opportunity: Opportunity) -> Opportunity:
    """Save an edited opportunity. A member's edit goes back to moderation, like a new post; staff's stays as it is."""
    current = _locked(actor, opportunity)
    before = snapshot(current)
    opportunity.status = current.status
    opportunity.published_at = current.published_at
    if not permissions.is_staff(actor):
        opportunity.status = Opportunity.Status.PENDING
        opportunity.published_at = None
    if not permissions.can_post_opportunity(actor, opportunity.organisation):
        raise PermissionDenied  # a member cannot move it to an organisation they do not act for
    opportunity.full_clean()
    opportunity.save()
    audit_log(
        actor=actor,
        action="showcase.opportunity.updated",
        obj=opportunity,
        organisation_id=opportunity.organisation_id,
        changes=diff(before, snapshot(opportunity)),
    )
    return opportunity


@transaction.atomic
def opportunity_extend(*, actor: Any, opportunity: Opportunity, expires_on: Any) -> Opportunity:
    """Move the expiry date (today at the earliest, a year ahead at most); no new moderation (the text is unchanged)."""
    from grappe.showcase.forms import check_expiry

    current = _locked(actor, opportunity)
    if current.status == Opportunity.Status.REJECTED:
        raise ValidationError(
            _("Une opportunité refusée ne peut pas être prolongée : modifiez-la pour la soumettre à nouveau.")
        )
    check_expiry(expires_on)
    before = current.expires_on
    current.expires_on = expires_on
    current.save(update_fields=["expires_on"])
    audit_log(
        actor=actor,
        action="showcase.opportunity.extended",
        obj=current,
        organisation_id=current.organisation_id,
        changes={"expires_on": [str(before), str(expires_on)]},
    )
    return current


@transaction.atomic
def opportunity_withdraw(*, actor: Any, opportunity: Opportunity) -> Opportunity:
    """Take it off the public site at once (pages, feed, profile); it stays in the portal as withdrawn."""
    current = _locked(actor, opportunity)
    before = current.status
    current.status = Opportunity.Status.WITHDRAWN
    current.save(update_fields=["status"])
    audit_log(
        actor=actor,
        action="showcase.opportunity.withdrawn",
        obj=current,
        organisation_id=current.organisation_id,
        changes={"status": [before, current.status]},
    )
    return current


def _unique_slug(text: str, exclude: int | None = None) -> str:
    base = slugify(text)[:100] or "article"
    slug, n = base, 2
    while Post.objects.filter(slug=slug).exclude(pk=exclude).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def post_save(*, actor: Any, post: Post, organisations: list[Organisation] | None = None) -> Post:
    if not permissions.can_manage_public_content(actor):
        raise PermissionDenied
    created = post.pk is None
    before = {} if created else snapshot(Post.objects.get(pk=post.pk))
    if not post.slug:
        post.slug = _unique_slug(post.title_fr or post.title_en or post.title_nl or post.title_de, post.pk)
    if post.status == Post.Status.PUBLISHED and not post.published_at:
        post.published_at = timezone.now()
    if not any(getattr(post, f"title_{code}") for code in ("fr", "en", "nl", "de")):
        raise ValidationError(_("Un titre est nécessaire dans au moins une langue."))
    post.full_clean()
    post.save()
    if organisations is not None:
        post.organisations.set(organisations)
    audit_log(
        actor=actor,
        action="showcase.post." + ("created" if created else "updated"),
        obj=post,
        changes=diff(before, snapshot(post)),
    )
    return post


@transaction.atomic
def take_over_draft(*, actor: Any, draft_id: int) -> Post:
    """A story (draft status) from an innovation story draft; the draft is marked taken over."""
    if not permissions.can_manage_public_content(actor):
        raise PermissionDenied
    StoryDraft = apps.get_model("innovation", "StoryDraft")
    draft = StoryDraft.objects.select_for_update().get(pk=draft_id)
    if draft.taken_over_at is not None:
        raise ValidationError(_("Ce brouillon a déjà été repris."))
    project = getattr(draft, "project", None)
    if project is not None and project.is_confidential_to_staff:
        # Second safeguard: innovation deletes such drafts when a project turns staff-only.
        raise ValidationError(_("Ce projet est confidentiel (équipe uniquement) : pas de récit public."))
    post = Post(
        kind=Post.Kind.STORY,
        status=Post.Status.DRAFT,
        title_fr=draft.title[:200],
        lead_fr=draft.lead,
        body_fr=draft.body,
        source_draft_id=draft.pk,
    )
    post = post_save(
        actor=actor, post=post, organisations=list(Organisation.objects.filter(pk__in=draft.organisation_ids or []))
    )
    StoryDraft.objects.filter(pk=draft.pk).update(taken_over_at=timezone.now())
    return post


def open_story_drafts() -> list[Any]:
    if not apps.is_installed("grappe.innovation"):
        return []
    StoryDraft = apps.get_model("innovation", "StoryDraft")
    return list(StoryDraft.objects.filter(taken_over_at__isnull=True).select_related("project").order_by("-created_at"))
