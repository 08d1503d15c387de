"""Walk the URL resolver and build a real path for each pattern from the fixture world."""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation

from tests.trust.world import World


def _erasure_request(w: World) -> int:
    from grappe.privacy.models import ErasureRequest

    return ErasureRequest.objects.get_or_create(person=w.contact_a, status=ErasureRequest.Status.PENDING)[0].pk


def _certification(w: World) -> int:
    from grappe.showcase.models import Certification

    return Certification.objects.get_or_create(organisation=w.org_a, name="ISO 9001", issuer="Vinçotte")[0].pk


@dataclass(frozen=True)
class Route:
    key: str  # "namespace:name", or the route itself for unnamed patterns
    route: str
    name: str | None
    i18n: bool


def iter_routes() -> Iterator[Route]:
    seen: set[str] = set()
    for route in _walk_all():
        if route.key in seen:
            continue
        seen.add(route.key)
        yield route


def _walk_all() -> Iterator[Route]:
    def walk(patterns: list, prefix: str, ns: str | None, i18n: bool) -> Iterator[Route]:
        for p in patterns:
            if isinstance(p, URLResolver):
                child_ns = ns
                if p.namespace:
                    child_ns = f"{ns}:{p.namespace}" if ns else p.namespace
                is_i18n = i18n or type(p.pattern).__name__ == "LocalePrefixPattern"
                pattern = "" if type(p.pattern).__name__ == "LocalePrefixPattern" else str(p.pattern)
                yield from walk(p.url_patterns, prefix + pattern, child_ns, is_i18n)
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                name = f"{ns}:{p.name}" if ns and p.name else p.name
                yield Route(key=name or route, route=route, name=name, i18n=i18n)

    yield from walk(get_resolver().url_patterns, "", None, False)


def shadowed_routes() -> dict[str, set[str]]:
    """Names given to several distinct routes: the walk keeps the first, so the others would go unchecked."""
    routes: dict[str, set[str]] = {}
    for route in _walk_all():
        routes.setdefault(route.key, set()).add(route.route)
    return {key: found for key, found in routes.items() if len(found) > 1}


def _first(model_label: str) -> Any:
    from django.apps import apps

    model = apps.get_model(model_label)
    return model._base_manager.order_by("pk").first()


# Kwargs of every named URL, from the world. Member A's objects are used wherever an object belongs
# to a member, so that member B must be refused them.
K: dict[str, Callable[[World], dict[str, Any]]] = {
    "accounts:token_revoke": lambda w: {"pk": w.token_a.pk},
    "register:enterprise_detail": lambda w: {"number": w.enterprise.pk},
    "register:enterprise_add": lambda w: {"number": w.enterprise.pk},
    "register:enterprise_link": lambda w: {"number": w.enterprise.pk},
    "register:change_add": lambda w: {"pk": w.register_change.pk},
    "register:change_prospect": lambda w: {"pk": w.register_change.pk},
    "register:candidate_review": lambda w: {"pk": w.register_link.pk, "decision": "reject"},
    "register:organisation_panel": lambda w: {"pk": w.org_a.pk},
    "register:organisation_enrich": lambda w: {"pk": w.org_a.pk},
    "register:import_progress": lambda w: {"pk": w.import_run.pk},
    "ecosystem:organisation_detail": lambda w: {"pk": w.org_a.pk},
    "ecosystem:organisation_edit": lambda w: {"pk": w.org_a.pk},
    "ecosystem:organisation_delete": lambda w: {"pk": w.org_a.pk},
    "ecosystem:organisation_merge": lambda w: {"pk": w.org_a.pk},
    "ecosystem:site_add": lambda w: {"pk": w.org_a.pk},
    "ecosystem:site_remove": lambda w: {"pk": w.org_a.pk, "site_pk": w.site_a.pk},
    "ecosystem:activities_set": lambda w: {"pk": w.org_a.pk},
    "ecosystem:person_detail": lambda w: {"pk": w.contact_a.pk},
    "ecosystem:person_edit": lambda w: {"pk": w.contact_a.pk},
    "ecosystem:affiliation_add": lambda w: {"pk": w.contact_a.pk},
    "ecosystem:affiliation_end": lambda w: {"pk": w.aff_a.pk},
    "ecosystem:membership_edit": lambda w: {"pk": w.membership_a.pk},
    "ecosystem:membership_renew": lambda w: {"pk": w.membership_a.pk},
    "ecosystem:membership_end": lambda w: {"pk": w.membership_a.pk},
    "ecosystem:membership_certificate": lambda w: {"pk": w.membership_a.pk},
    "ecosystem:taxonomy_create": lambda w: {"kind": "competence"},
    "ecosystem:taxonomy_edit": lambda w: {"kind": "competence", "pk": w.competence.pk},
    "ecosystem:taxonomy_delete": lambda w: {"kind": "competence", "pk": w.competence.pk},
    "ecosystem:portal_organisation": lambda w: {"pk": w.org_a.pk},
    "ecosystem:portal_organisation_edit": lambda w: {"pk": w.org_a.pk},
    "ecosystem:portal_colleagues": lambda w: {"pk": w.org_a.pk},
    "ecosystem:portal_colleague_revoke": lambda w: {"pk": w.org_a.pk, "user_pk": w.users["member_a"].pk},
    "ecosystem:portal_invitation": lambda w: {"uidb64": "MQ", "token": "invalid-token"},
    "ecosystem:organisation_export": lambda w: {"fmt": "csv"},
    "ecosystem:person_export": lambda w: {"fmt": "csv"},
    "ecosystem:organisation_import_preview": lambda w: {"token": "missing"},
    "ecosystem:organisation_import_done": lambda w: {"token": "missing"},
    "ecosystem:person_import_preview": lambda w: {"token": "missing"},
    "ecosystem:person_import_done": lambda w: {"token": "missing"},
    "watch:source_detail": lambda w: {"pk": w.source.pk},
    "watch:source_action": lambda w: {"pk": w.source.pk},
    "watch:item_detail": lambda w: {"pk": w.item.pk},
    "watch:item_status": lambda w: {"pk": w.item.pk},
    "watch:item_topic_mark": lambda w: {"pk": w.item.pk},
    "watch:topic_detail": lambda w: {"pk": w.topic.pk},
    "watch:portal_subscription_delete": lambda w: {"pk": w.subscription.pk},
    "watch:portal_digest": lambda w: {"pk": w.digest_a.pk},
    "watch:unsubscribe": lambda w: {"token": w.unsubscribe_token},
    "watch:topic_feed": lambda w: {"slug": w.private_topic.slug, "kind": "rss"},
    "events:event_detail": lambda w: {"pk": w.hidden_event.pk},
    "events:event_edit": lambda w: {"pk": w.hidden_event.pk},
    "events:event_status": lambda w: {"pk": w.hidden_event.pk, "action": "publish"},
    "events:registration_cancel": lambda w: {"pk": w.event.pk, "registration_pk": w.reg_a.pk},
    "events:check_in": lambda w: {"pk": w.event.pk},
    "events:check_in_toggle": lambda w: {"pk": w.event.pk, "registration_pk": w.reg_a.pk},
    "events:record_no_shows": lambda w: {"pk": w.event.pk},
    "events:attendees_pdf": lambda w: {"pk": w.event.pk},
    "events:badges_pdf": lambda w: {"pk": w.event.pk},
    "events:event_statistics": lambda w: {"pk": w.event.pk},
    "events:organisation_panel": lambda w: {"organisation_pk": w.org_a.pk},
    "events:session_setup": lambda w: {"pk": w.b2b.pk},
    "events:session_detail": lambda w: {"session_pk": w.session.pk},
    "events:session_agendas": lambda w: {"session_pk": w.session.pk},
    "events:session_add_registered": lambda w: {"session_pk": w.session.pk},
    "events:session_run": lambda w: {"session_pk": w.session.pk},
    "events:session_publish": lambda w: {"session_pk": w.session.pk},
    "events:meeting_impose": lambda w: {"session_pk": w.session.pk},
    "events:meeting_move": lambda w: {"session_pk": w.session.pk},
    "events:meeting_lock": lambda w: {"meeting_pk": w.meeting.pk},
    "events:meeting_outcome": lambda w: {"meeting_pk": w.meeting.pk},
    "events:participant_no_show": lambda w: {"participant_pk": w.part_a.pk},
    "events:person_feed": lambda w: {"token": w.calendar_feed.token},
    "events:registration_manage": lambda w: {"token": w.registration_token},
    "events:registration_cancel_self": lambda w: {"token": w.registration_token},
    "events:survey": lambda w: {"token": w.registration_token},
    "events:event_public": lambda w: {"slug": w.hidden_event.slug},
    "events:event_ics": lambda w: {"slug": w.hidden_event.slug},
    "events:portal_profile": lambda w: {"session_pk": w.session.pk},
    "events:portal_recommendations": lambda w: {"session_pk": w.session.pk},
    "events:portal_request_create": lambda w: {"session_pk": w.session.pk},
    "events:portal_requests": lambda w: {"session_pk": w.session.pk},
    "events:portal_request_decide": lambda w: {"request_pk": w.meeting_request.pk},
    "events:portal_agenda": lambda w: {"session_pk": w.session.pk},
    "events:portal_agenda_pdf": lambda w: {"session_pk": w.session.pk},
    "partnerships:collaboration_detail": lambda w: {"pk": w.collaboration.pk},
    "partnerships:collaboration_edit": lambda w: {"pk": w.collaboration.pk},
    "partnerships:collaboration_add_partner": lambda w: {"pk": w.collaboration.pk},
    "partnerships:collaboration_remove_partner": lambda w: {
        "pk": w.collaboration.pk,
        "partner_pk": w.collaboration_partner.pk,
    },
    "partnerships:collaboration_add_document": lambda w: {"pk": w.collaboration.pk},
    "partnerships:introduction_detail": lambda w: {"pk": w.introduction.pk},
    "partnerships:request_detail": lambda w: {"pk": w.introduction_request.pk},
    "partnerships:organisation_interactions": lambda w: {"pk": w.org_a.pk},
    "partnerships:interaction_done": lambda w: {"pk": w.interaction.pk},
    "partnerships:organisation_timeline": lambda w: {"pk": w.org_a.pk},
    "partnerships:document_download": lambda w: {"pk": w.document.pk},
    "partnerships:portal_collaboration": lambda w: {"pk": w.collaboration.pk},
    "innovation:project_detail": lambda w: {"pk": w.project.pk},
    "innovation:project_edit": lambda w: {"pk": w.project.pk},
    "innovation:project_move": lambda w: {"pk": w.project.pk},
    "innovation:partner_add": lambda w: {"pk": w.project.pk},
    "innovation:partner_remove": lambda w: {"pk": w.project.pk, "partner_pk": w.project_partner.pk},
    "innovation:partner_invite": lambda w: {"pk": w.project.pk},
    "innovation:checklist_toggle": lambda w: {"pk": w.project.pk, "item_pk": w.gate_item.pk},
    "innovation:checklist_add": lambda w: {"pk": w.project.pk},
    "innovation:outcome_add": lambda w: {"pk": w.project.pk},
    "innovation:story_create": lambda w: {"pk": w.project.pk},
    "innovation:story_detail": lambda w: {"pk": w.story.pk},
    "innovation:call_detail": lambda w: {"pk": w.call.pk},
    "innovation:call_edit": lambda w: {"pk": w.call.pk},
    "innovation:organisation_panel": lambda w: {"pk": w.org_a.pk},
    "innovation:portal_project": lambda w: {"pk": w.project.pk},
    "objectives:indicator_detail": lambda w: {"pk": w.indicator.pk},
    "objectives:drilldown": lambda w: {"pk": w.indicator.pk, "year": 2024},
    "objectives:report_download": lambda w: {"pk": w.contract.pk},
    "objectives:archive_list": lambda w: {"pk": w.contract.pk},
    "objectives:archive_detail": lambda w: {"pk": w.archive.pk},
    "objectives:archive_file": lambda w: {"pk": w.archive.pk, "fmt": "pdf"},
    "objectives:contract_detail": lambda w: {"pk": w.contract.pk},
    "objectives:contract_edit": lambda w: {"pk": w.contract.pk},
    "objectives:report_archive": lambda w: {"pk": w.contract.pk},
    "objectives:objective_create": lambda w: {"contract_pk": w.contract.pk},
    "objectives:objective_edit": lambda w: {"contract_pk": w.contract.pk, "pk": w.objective.pk},
    "objectives:indicator_create": lambda w: {"contract_pk": w.contract.pk},
    "objectives:indicator_edit": lambda w: {"contract_pk": w.contract.pk, "pk": w.indicator.pk},
    "objectives:indicator_delete": lambda w: {"pk": w.indicator.pk},
    "objectives:measurement_create": lambda w: {"indicator_pk": w.indicator.pk},
    "objectives:measurement_edit": lambda w: {"indicator_pk": w.indicator.pk, "pk": w.measurement.pk},
    "objectives:measurement_delete": lambda w: {"pk": w.measurement.pk},
    "showcase:profile": lambda w: {"slug": w.org_a.slug},
    "showcase:value_chain": lambda w: {"slug": w.value_chain.slug},
    "showcase:news_detail": lambda w: {"slug": w.post.slug},
    "showcase:stories_detail": lambda w: {"slug": w.draft_post.slug},  # a draft, and a news not a story
    "showcase_members:staff_opportunity_moderate": lambda w: {"pk": w.opportunity.pk},
    "showcase_members:opportunity_edit": lambda w: {"pk": w.opportunity.pk},
    "showcase_members:opportunity_extend": lambda w: {"pk": w.opportunity.pk},
    "showcase_members:opportunity_withdraw": lambda w: {"pk": w.opportunity.pk},
    "showcase_members:staff_post_edit": lambda w: {"pk": w.draft_post.pk},
    "showcase_members:staff_take_over_draft": lambda w: {"draft_id": w.story.pk},
    "admin:otp_totp_totpdevice_config": lambda w: {"pk": w.totp_device.pk},
    "admin:otp_totp_totpdevice_qrcode": lambda w: {"pk": w.totp_device.pk},
    "privacy:person_export": lambda w: {"pk": w.contact_a.pk},
    "privacy:person_erase": lambda w: {"pk": w.contact_a.pk},
    "privacy:request_refuse": lambda w: {"pk": _erasure_request(w)},
    "core:job_retry": lambda w: {"task_id": "00000000-0000-0000-0000-000000000000"},
    "core:periodic_run_now": lambda w: {"key": _periodic_key()},
    "core:webhook_detail": lambda w: {"pk": w.webhook.pk},
    "core:webhook_ping": lambda w: {"pk": w.webhook.pk},
    "core:webhook_delete": lambda w: {"pk": w.webhook.pk},
    "core:webhook_redeliver": lambda w: {"pk": w.webhook_delivery.pk},
    "watch:organisation_panel": lambda w: {"pk": w.org_a.pk},
    "partnerships:interaction_edit": lambda w: {"pk": w.interaction.pk},
    "showcase_members:portal_profile_edit": lambda w: {"pk": w.org_a.pk},
    "showcase_members:staff_proposal": lambda w: {"pk": w.proposal.pk},
    "showcase_members:promotion_edit": lambda w: {"pk": 0},
    "showcase_members:promotion_delete": lambda w: {"pk": 0},
    "showcase_members:portal_certifications": lambda w: {"pk": w.org_a.pk},
    "showcase_members:portal_certification_delete": lambda w: {"pk": _certification(w)},
    "showcase_members:staff_organisation_certifications": lambda w: {"pk": w.org_a.pk},
    "showcase_members:certifications_panel": lambda w: {"pk": w.org_a.pk},
    "showcase_members:staff_certification_edit": lambda w: {"pk": _certification(w)},
    "showcase_members:staff_certification_review": lambda w: {"pk": _certification(w)},
    "showcase_members:staff_certification_delete": lambda w: {"pk": _certification(w)},
    "innovation:project_documents": lambda w: {"pk": w.project.pk},
    "innovation:document_download": lambda w: {"pk": w.project_document.pk},
    "innovation:portal_documents": lambda w: {"pk": w.project.pk},
    "insights:organisation_map": lambda w: {"pk": w.org_a.pk},
    "insights:perimeter_segment": lambda w: {"pk": w.segment.pk},
    "api:item_detail": lambda w: {"item_id": w.item.pk},
    "api:item_triage": lambda w: {"item_id": w.item.pk},
    "api:subscription_delete": lambda w: {"subscription_id": w.subscription.pk},
    # API (django-ninja): paths take the object ids.
    "api:organisation_detail": lambda w: {"organisation_id": w.org_a.pk},
    "api:person_detail": lambda w: {"person_id": w.contact_a.pk},
    "api:get_collaboration": lambda w: {"pk": w.collaboration.pk},
    "api:get_project": lambda w: {"project_id": w.project.pk},
    "api:project_calls": lambda w: {"project_id": w.project.pk},
    "api:get_call": lambda w: {"call_id": w.call.pk},
    "api:register_enterprise_detail": lambda w: {"number": w.enterprise.pk},
    "api:objectives_indicator_detail": lambda w: {"indicator_id": w.indicator.pk},
    "api:event_detail": lambda w: {"event_id": w.hidden_event.pk},
    "api:event_registrations": lambda w: {"event_id": w.event.pk},
    "api:event_sessions": lambda w: {"event_id": w.b2b.pk},
    "api:session_meetings": lambda w: {"session_id": w.session.pk},
    "api:_no_such_endpoint": lambda w: {"rest": "no-such-endpoint"},
}


def _periodic_key() -> str:
    from grappe.core.registry import periodic_jobs

    jobs = periodic_jobs()
    return jobs[0].key if jobs else "none"


ADMIN_MODEL = re.compile(
    r"^admin:(?P<app>[a-z_]+?)_(?P<model>[a-z]+)_(?P<action>changelist|add|history|delete|change)$"
)


def _admin_object(app: str, model: str) -> Any:
    from django.apps import apps

    for config in apps.get_app_configs():
        if config.label == app or config.label.replace("_", "") == app.replace("_", ""):
            try:
                m = config.get_model(model)
            except LookupError:
                continue
            return m._base_manager.order_by("pk").first()
    return None


def path_for(route: Route, world: World) -> str:
    """A real path for ``route``: reversed with world objects, or built from the route for unnamed ones."""
    with translation.override("fr"):
        if route.name and route.name in K:
            return reverse(route.name, kwargs=K[route.name](world))
        if route.name and (match := ADMIN_MODEL.match(route.name)):
            if match["action"] in ("changelist", "add"):
                return reverse(route.name)
            obj = _admin_object(match["app"], match["model"])
            object_id = obj.pk if obj is not None else 0
            return reverse(route.name, kwargs={"object_id": object_id})
        if route.name == "admin:view_on_site":
            from django.contrib.contenttypes.models import ContentType

            ct = ContentType.objects.get_for_model(world.org_a)
            return reverse(route.name, kwargs={"content_type_id": ct.pk, "object_id": world.org_a.pk})
        if route.name == "admin:app_list":
            return reverse(route.name, kwargs={"app_label": "ecosystem"})
        if route.name:
            return reverse(route.name)
    # Unnamed patterns: admin's "<object_id>/" (redirects to the change page) and its catch-all.
    if route.route.startswith("admin/") and route.route.endswith("<path:object_id>/"):
        return "/" + route.route.replace("<path:object_id>", str(world.org_a.pk))
    if route.route.startswith("admin/(?P<url>"):
        return "/admin/no-such-page/"
    raise LookupError(route.key)
