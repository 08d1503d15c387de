"""Write the demo's organisations through the audited services: real actors, then invented ones."""

import datetime as dt
import random

from grappe.ecosystem import services
from grappe.ecosystem.demo.actors import RealActor
from grappe.ecosystem.demo.companies import CompanyPlan
from grappe.ecosystem.demo.context import DemoContext
from grappe.ecosystem.demo.taxonomy import Taxonomy
from grappe.ecosystem.models import Organisation, Relationship


def write_real_actor(ctx: DemoContext, actor: RealActor, day: dt.date) -> Organisation:
    fr, en = actor.description
    with ctx.clock.at(day):
        organisation = services.organisation_create(
            actor=ctx.admin,
            name=actor.name,
            kind=actor.kind,
            acronym=actor.acronym,
            other_names=list(actor.other_names),
            website=actor.website,
            description_fr=fr,
            description_en=en,
            source=Organisation.Source.IMPORT if actor.ror_id else Organisation.Source.MANUAL,
        )
        services.site_add(
            actor=ctx.admin, organisation=organisation, postal_code=actor.postal_code, is_head_office=True
        )
    return organisation


def write_company(ctx: DemoContext, plan: CompanyPlan, taxonomy: Taxonomy) -> Organisation:
    descriptions = {f"description_{lang}": text for lang, text in plan.descriptions.items()}
    consent_at = ctx.clock.moment(plan.public_consent_on) if plan.public_consent_on else None
    with ctx.clock.at(plan.known_on):
        organisation = services.organisation_create(
            actor=ctx.actor(),
            name=plan.name,
            slug=plan.slug,
            kind=plan.kind,
            enterprise_number=plan.enterprise_number,
            legal_form=plan.legal_form,
            founded_on=plan.founded_on,
            headcount_band=plan.headcount_band,
            turnover_band=plan.turnover_band,
            website=f"https://www.{plan.domain}/",
            email=f"info@{plan.domain}",
            export_markets=plan.export_markets,
            segments=[taxonomy.segments[s] for s in plan.segments],
            competences=[taxonomy.competences[c] for c in plan.competences],
            internal_notes=plan.internal_notes,
            # Consent is recorded with the date the organisation gave it (usually its membership form).
            public_profile_consent=consent_at is not None,
            public_profile_consent_at=consent_at,
            **plan.transitions,
            **descriptions,
        )
        services.site_add(
            actor=ctx.actor(),
            organisation=organisation,
            postal_code=plan.postal_code,
            street=plan.street,
            number=plan.number,
            is_head_office=True,
        )
        if plan.second_site:
            services.site_add(actor=ctx.actor(), organisation=organisation, postal_code=plan.second_site, label="Dépôt")
        services.activity_set(
            actor=ctx.actor(),
            organisation=organisation,
            codes=[plan.main_code, *plan.secondary_codes],
            main=plan.main_code,
        )
    return organisation


def write_relationships(ctx: DemoContext, rng: random.Random, companies: list[tuple[Organisation, CompanyPlan]]) -> int:
    """Supply chains, partnerships, groups and investments between invented organisations only."""
    by_segment: dict[str, list[tuple[Organisation, CompanyPlan]]] = {}
    for pair in companies:
        by_segment.setdefault(pair[1].segment, []).append(pair)
    chains = (
        ("materiaux", "construction", Relationship.Kind.SUPPLIER, 14),
        ("materiaux", "isolation-finitions", Relationship.Kind.SUPPLIER, 6),
        ("deconstruction-reemploi", "materiaux", Relationship.Kind.SUPPLIER, 6),
        ("construction", "conception", Relationship.Kind.CUSTOMER, 8),
        ("conception", "numerique-batiment", Relationship.Kind.CUSTOMER, 5),
        ("construction", "equipements-techniques", Relationship.Kind.PARTNER, 6),
        ("audit-conseil", "chauffage-ventilation", Relationship.Kind.PARTNER, 5),
        ("production-energie", "equipements-techniques", Relationship.Kind.PARTNER, 4),
    )
    links: list[tuple[tuple[Organisation, CompanyPlan], tuple[Organisation, CompanyPlan], str]] = []
    for source_segment, target_segment, kind, count in chains:
        for _ in range(count):
            links.append((rng.choice(by_segment[source_segment]), rng.choice(by_segment[target_segment]), kind))
    # A few groups: a large company and its subsidiaries in the same segment.
    large = [p for p in companies if p[1].sme_status == Organisation.SmeStatus.LARGE and p[1].segment]
    for parent in rng.sample(large, k=min(4, len(large))):
        siblings = [p for p in by_segment[parent[1].segment] if p is not parent]
        for child in rng.sample(siblings, k=rng.randint(1, 2)):
            links.append((child, parent, Relationship.Kind.SUBSIDIARY))
    investors = [p for p in companies if p[1].kind == Organisation.Kind.INVESTOR]
    startups = [p for p in companies if p[1].kind == Organisation.Kind.STARTUP]
    for investor in investors:
        for startup in rng.sample(startups, k=min(4, len(startups))):
            links.append((investor, startup, Relationship.Kind.INVESTOR))
    created, seen = 0, set()
    for (source, source_plan), (target, target_plan), kind in links:
        key = (source.pk, target.pk, kind)
        if source.pk == target.pk or key in seen:
            continue
        seen.add(key)
        offset = rng.randint(0, 700)
        since = max(source_plan.founded_on, target_plan.founded_on) + dt.timedelta(days=offset)
        since = min(since, ctx.today - dt.timedelta(days=1))
        # Recorded once both organisations were in the files (the day after the later one).
        known = max(source_plan.known_on, target_plan.known_on) + dt.timedelta(days=1)
        recorded = min(max(since, known), ctx.today - dt.timedelta(days=1))
        with ctx.clock.at(recorded):
            services.relationship_create(actor=ctx.actor(), source=source, target=target, kind=kind, since=since)
        created += 1
    return created
