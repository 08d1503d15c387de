"""The unified timeline of an organisation: what the cluster did with it, from every mission app.

Sources: interactions, introductions, collaborations and introduction requests (this app); events
attended and B2B meetings (events selectors); watch bulletins received by its people (watch
selectors); innovation projects it leads or partners in, with their stage changes (innovation
selectors); membership periods and, for staff, the audit entries of membership changes (ecosystem,
core). Other apps are imported lazily and skipped when absent.

``staff=False`` is what a member user of the organisation sees: rows flagged internal are left out,
and PRIVATE fields (notes) are never copied into an item — so no template can show them by mistake.
"""

import datetime as dt
import importlib
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grappe.ecosystem.models import Affiliation, Membership, Organisation
from grappe.partnerships.engagement import while_affiliated
from grappe.partnerships.models import Collaboration, Interaction, Introduction, IntroductionRequest

KINDS: dict[str, Any] = {
    "interaction": gettext_lazy("Échanges"),
    "introduction": gettext_lazy("Mises en relation"),
    "request": gettext_lazy("Demandes de mise en relation"),
    "collaboration": gettext_lazy("Collaborations"),
    "event": gettext_lazy("Événements"),
    "meeting": gettext_lazy("Rendez-vous B2B"),
    "project": gettext_lazy("Projets d'innovation"),
    "bulletin": gettext_lazy("Bulletins de veille"),
    "membership": gettext_lazy("Adhésion"),
}
PER_SOURCE_LIMIT = 200


@dataclass
class Item:
    date: dt.date
    kind: str
    title: str
    detail: str = ""
    internal: bool = False
    notes: str = ""  # PRIVATE: only ever filled for staff
    url: str = ""

    @property
    def kind_label(self) -> Any:
        return KINDS.get(self.kind, self.kind)


def _optional(app: str) -> Any:
    try:
        return importlib.import_module(f"grappe.{app}.selectors")
    except ModuleNotFoundError:
        return None


def _local(moment: dt.datetime | dt.date | None) -> dt.date | None:
    if isinstance(moment, dt.datetime):
        return timezone.localdate(moment) if timezone.is_aware(moment) else moment.date()
    return moment


def _partnership_items(organisation: Organisation, *, staff: bool) -> list[Item]:
    items: list[Item] = []
    interactions = Interaction.objects.filter(organisation=organisation).select_related("person", "owner")
    introductions = Introduction.objects.filter(
        Q(organisation_a=organisation) | Q(organisation_b=organisation)
    ).select_related("organisation_a", "organisation_b", "collaboration")
    collaborations = Collaboration.objects.filter(partners__organisation=organisation).distinct()
    if not staff:
        interactions = interactions.exclude(is_internal=True)
        introductions = introductions.exclude(is_internal=True)
        collaborations = collaborations.exclude(is_internal=True)
    for i in interactions.order_by("-date")[:PER_SOURCE_LIMIT]:
        detail = i.summary
        if i.person_id:
            detail = f"{i.person} — {detail}"
        if i.next_action and not i.next_action_done:
            detail += " · " + _("prochaine action : %(action)s") % {"action": i.next_action}
        items.append(
            Item(
                i.date,
                "interaction",
                i.get_kind_display(),
                detail,
                i.is_internal,
                i.notes if staff else "",
                reverse("partnerships:organisation_interactions", args=[organisation.pk]) if staff else "",
            )
        )
    for i in introductions.order_by("-introduced_on")[:PER_SOURCE_LIMIT]:
        other = i.other(organisation.pk)
        detail = _("parce que : %(reason)s") % {"reason": i.reason}
        if i.outcome != Introduction.Outcome.UNKNOWN:
            detail += " · " + _("résultat : %(outcome)s") % {"outcome": i.get_outcome_display()}
        items.append(
            Item(
                i.introduced_on,
                "introduction",
                _("Mise en relation avec %(org)s") % {"org": other},
                detail,
                i.is_internal,
                i.notes if staff else "",
                reverse("partnerships:introduction_list") + f"?organisation={organisation.pk}" if staff else "",
            )
        )
    for c in collaborations.order_by("-start_date")[:PER_SOURCE_LIMIT]:
        day = c.start_date or _local(c.created_at)
        items.append(
            Item(
                day,
                "collaboration",
                c.title,
                f"{c.get_kind_display()} · {c.get_status_display()}",
                c.is_internal,
                c.internal_notes if staff else "",
                reverse("partnerships:collaboration_detail", args=[c.pk])
                if staff
                else reverse("partnerships:portal_collaboration", args=[c.pk]),
            )
        )
    requests = IntroductionRequest.objects.filter(organisation=organisation).order_by("-created_at")
    for r in requests[:PER_SOURCE_LIMIT]:
        items.append(
            Item(
                _local(r.created_at),
                "request",
                _("Demande : %(needs)s") % {"needs": r.needs[:120]},
                r.get_status_display(),
                False,
                r.staff_notes if staff else "",
                reverse("partnerships:request_detail", args=[r.pk]) if staff else "",
            )
        )
    return items


def _event_items(organisation: Organisation) -> list[Item]:
    events = _optional("events")
    if events is None or not hasattr(events, "organisation_history"):
        return []
    history = events.organisation_history(organisation.pk)
    items = []
    for registration in history["registrations"][:PER_SOURCE_LIMIT]:
        attendance = registration.get_attendance_display() if hasattr(registration, "get_attendance_display") else ""
        items.append(
            Item(
                _local(registration.event.start),
                "event",
                str(registration.event),
                f"{registration.person} · {attendance}",
            )
        )
    for meeting in history["meetings"][:PER_SOURCE_LIMIT]:
        a, b = meeting.participant_a, meeting.participant_b
        other = b if a.organisation_id == organisation.pk else a
        day = _local(meeting.slot.start) if meeting.slot_id else _local(meeting.session.event.start)
        items.append(
            Item(
                day,
                "meeting",
                _("Rendez-vous B2B avec %(who)s") % {"who": other.organisation or other.person},
                f"{meeting.session.event} · {meeting.get_status_display()}",
            )
        )
    return items


def _project_items(organisation: Organisation, *, staff: bool) -> list[Item]:
    """One item per stage change of its projects; staff-only projects are internal (never shown to members)."""
    innovation = _optional("innovation")
    if innovation is None or not hasattr(innovation, "organisation_project_history"):
        return []
    from grappe.innovation.models import InnovationProject, ProjectPartner

    items = []
    history = innovation.organisation_project_history(organisation.pk, include_staff_only=staff)
    for row in history:
        project, changes = row["project"], row["changes"]
        internal = project.confidentiality == InnovationProject.Confidentiality.STAFF
        role = ProjectPartner.Role(row["role"]).label if row["role"] in ProjectPartner.Role.values else row["role"]
        detail = _("Rôle de l'organisation : %(role)s. Étape actuelle : %(stage)s.") % {
            "role": role,
            "stage": project.get_stage_display(),
        }
        url = (
            reverse("innovation:project_detail", args=[project.pk])
            if staff
            else reverse("innovation:portal_project", args=[project.pk])
        )
        for change in changes[-PER_SOURCE_LIMIT:]:
            stage = InnovationProject.Stage(change.to_stage).label
            if change.from_stage:
                title = _("Projet « %(title)s » passé à l'étape « %(stage)s »") % {"title": project, "stage": stage}
            else:
                title = _("Projet « %(title)s » ouvert à l'étape « %(stage)s »") % {"title": project, "stage": stage}
            items.append(
                Item(_local(change.at), "project", title, detail, internal, change.reason if staff else "", url)
            )
    return items


def affiliation_periods(affiliations: Any) -> dict[int, list[tuple[dt.date | None, dt.date | None]]]:
    """``{person_id: [(start, end), ...]}`` from ``(person_id, start_date, end_date)`` triples."""
    periods: dict[int, list[tuple[dt.date | None, dt.date | None]]] = defaultdict(list)
    for person_id, begin, finish in affiliations:
        periods[person_id].append((begin, finish))
    return periods


def _bulletin_items(organisation: Organisation, start: dt.date, end: dt.date) -> list[Item]:
    """Bulletins received by its people while they worked for it (two queries whatever the history)."""
    watch = _optional("watch")
    if watch is None or not hasattr(watch, "bulletins_sent"):
        return []
    periods = affiliation_periods(
        Affiliation.objects.filter(organisation=organisation).values_list("person_id", "start_date", "end_date")
    )
    digests = (
        watch.bulletins_sent(start, end)
        .queryset.filter(person_id__in=list(periods))
        .select_related("person")
        .order_by("-sent_at")
    )
    items: list[Item] = []
    for digest in digests.iterator(chunk_size=500):
        day = _local(digest.sent_at)
        if while_affiliated(periods[digest.person_id], day):
            items.append(Item(day, "bulletin", digest.subject, str(digest.person)))
            if len(items) >= PER_SOURCE_LIMIT:
                break
    return items


def _membership_items(organisation: Organisation, *, staff: bool) -> list[Item]:
    items = []
    for m in Membership.objects.filter(organisation=organisation, status__in=Membership.COUNTING_STATUSES):
        items.append(Item(m.start_date, "membership", _("Début d'adhésion"), m.get_tier_display()))
        if m.end_date:
            items.append(Item(m.end_date, "membership", _("Fin d'adhésion"), m.get_status_display()))
    if staff:
        from grappe.core.models import AuditEntry

        entries = AuditEntry.objects.filter(
            organisation_id=organisation.pk, action__startswith="ecosystem.membership."
        ).order_by("-at")[:PER_SOURCE_LIMIT]
        for entry in entries:
            items.append(
                Item(
                    _local(entry.at),
                    "membership",
                    _("Adhésion modifiée (%(action)s)") % {"action": entry.action.rsplit(".", 1)[-1]},
                    entry.actor_label,
                    internal=True,
                )
            )
    return items


def organisation_timeline(
    organisation: Organisation,
    *,
    staff: bool,
    kinds: set[str] | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> list[Item]:
    """Items newest first, of the ``kinds`` asked (all by default), dated within [start, end] if given."""
    wanted = set(kinds or KINDS) & set(KINDS)
    today = timezone.localdate()
    items: list[Item] = []
    if wanted & {"interaction", "introduction", "collaboration", "request"}:
        items += _partnership_items(organisation, staff=staff)
    if wanted & {"event", "meeting"}:
        items += _event_items(organisation)
    if "project" in wanted:
        items += _project_items(organisation, staff=staff)
    if "bulletin" in wanted:
        items += _bulletin_items(organisation, start or today - dt.timedelta(days=730), end or today)
    if "membership" in wanted:
        items += _membership_items(organisation, staff=staff)
    items = [
        i
        for i in items
        if i.kind in wanted
        and i.date is not None
        and (start is None or i.date >= start)
        and (end is None or i.date <= end)
        and (staff or not i.internal)
    ]
    items.sort(key=lambda i: (i.date, i.kind), reverse=True)
    return items
