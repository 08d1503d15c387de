"""The demo cluster « Construction Circulaire Wallonie »: shape, validity, privacy of real actors, determinism.

The demo is loaded once for the module (about ten seconds on SQLite) and removed afterwards; the
determinism test loads it a second time inside its own transaction and compares digests.
"""

import datetime as dt
import hashlib
import io
from dataclasses import dataclass

import pytest
from django.contrib.auth import authenticate
from stdnum.be import vat

from grappe.accounts.models import User
from grappe.core.management.commands.demo import flush_domain_data
from grappe.core.models import AuditEntry
from grappe.ecosystem import services
from grappe.ecosystem.demo import DEMO_PASSWORD, load, reset
from grappe.ecosystem.demo.actors import real_actors
from grappe.ecosystem.demo.memberships import TARGETS
from grappe.ecosystem.demo.taxonomy import VALUE_CHAINS
from grappe.ecosystem.models import (
    Affiliation,
    Competence,
    Consent,
    Membership,
    Organisation,
    Person,
    Relationship,
    Segment,
    Topic,
    ValueChain,
)
from grappe.ecosystem.selectors import member_ids_on, renewals_due
from grappe.referential.loaders import is_walloon_postal_code
from grappe.referential.models import NaceCode

TODAY = dt.date(2026, 3, 16)


@dataclass
class Demo:
    counts: dict
    output: str
    digest: str


def demo_digest() -> str:
    """A fingerprint of everything the demo writes that does not depend on database ids."""
    rows: list[str] = []
    for org in Organisation.objects.prefetch_related("activities__nace", "sites__postal_code", "segments"):
        rows.append(
            repr(
                (
                    org.name,
                    org.kind,
                    org.enterprise_number,
                    org.legal_form,
                    org.founded_on,
                    org.headcount_band,
                    org.website,
                    org.description_fr,
                    org.public_profile_consent,
                    list(org.export_markets),
                    sorted((a.nace.code, a.is_main) for a in org.activities.all()),
                    sorted(s.postal_code.code for s in org.sites.all()),
                    sorted(s.slug for s in org.segments.all()),
                )
            )
        )
    for m in Membership.objects.select_related("organisation"):
        rows.append(
            repr(
                (
                    m.organisation.name,
                    m.start_date,
                    m.end_date,
                    m.status,
                    m.tier,
                    m.yearly_fee,
                    m.renewal_date,
                    m.fee_paid_until,
                )
            )
        )
    for a in Affiliation.objects.select_related("person", "organisation"):
        rows.append(
            repr(
                (str(a.person), a.person.languages, a.organisation.name, a.function, a.email, a.start_date, a.end_date)
            )
        )
    for c in Consent.objects.select_related("person"):
        rows.append(repr((str(c.person), c.purpose, c.source, c.given_at, c.withdrawn_at)))
    for r in Relationship.objects.select_related("source", "target"):
        rows.append(repr((r.source.name, r.target.name, r.kind, r.since)))
    for e in AuditEntry.objects.all():
        rows.append(repr((e.action, e.object_label, e.actor_label, e.at)))
    return hashlib.sha256("\n".join(sorted(rows)).encode()).hexdigest()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker) -> Demo:
    with django_db_blocker.unblock():
        output = io.StringIO()
        counts = load(output, today=TODAY)
        digest = demo_digest()
    yield Demo(counts, output.getvalue(), digest)
    with django_db_blocker.unblock():
        reset()


def _real_names() -> set[str]:
    return {actor.name for actor in real_actors()}


def test_the_demo_has_about_three_hundred_organisations(demo, db):
    assert 270 <= Organisation.objects.count() <= 330
    assert demo.counts["organisations"] == Organisation.objects.count()


def test_about_one_hundred_twenty_organisations_are_members_today(demo, db):
    members = member_ids_on(TODAY)
    assert 110 <= len(members) <= 130
    assert len(members) == TARGETS[-1]


def test_membership_grew_over_five_years_with_exits_and_rejoins(demo, db):
    counts = [len(member_ids_on(TODAY.replace(year=TODAY.year - years))) for years in (4, 3, 2, 1, 0)]
    assert counts == sorted(counts) and counts[0] >= 60
    assert len(member_ids_on(TODAY.replace(year=TODAY.year - 6))) == 0  # the cluster is five years old
    ended = Membership.objects.filter(status__in=[Membership.Status.LAPSED, Membership.Status.RESIGNED])
    assert ended.filter(status=Membership.Status.LAPSED).exists() and ended.filter(status="resigned").exists()
    for years_ago in (1, 2, 3):
        year_end = TODAY.replace(year=TODAY.year - years_ago + 1)
        year_start = TODAY.replace(year=TODAY.year - years_ago)
        assert ended.filter(end_date__gt=year_start, end_date__lte=year_end).exists()
    rejoined = Membership.objects.filter(status__in=Membership.COUNTING_STATUSES).values("organisation")
    per_org = {}
    for row in rejoined:
        per_org[row["organisation"]] = per_org.get(row["organisation"], 0) + 1
    assert any(n > 1 for n in per_org.values())


def test_the_workspace_has_renewals_due_unpaid_fees_and_prospects(demo, db):
    due = renewals_due(TODAY)
    assert due.filter(renewal_date__gte=TODAY).count() >= 5
    unpaid = Membership.objects.filter(status=Membership.Status.MEMBER, end_date__isnull=True, fee_paid_until__lt=TODAY)
    assert 3 <= unpaid.count() <= 12
    assert due.filter(renewal_date__lt=TODAY).count() == unpaid.count()
    assert Membership.objects.filter(status=Membership.Status.PROSPECT).count() >= 10
    fees = set(Membership.objects.values_list("tier", "yearly_fee"))
    assert all(fee > 0 for _tier, fee in fees)
    assert {"micro", "sme", "large"} <= {tier for tier, _fee in fees}


def test_every_enterprise_number_is_valid_and_unique(demo, db):
    numbers = list(Organisation.objects.exclude(enterprise_number=None).values_list("enterprise_number", flat=True))
    assert len(numbers) >= 250
    assert len(set(numbers)) == len(numbers)
    assert all(vat.is_valid(n) and len(n) == 10 and n.startswith("0") for n in numbers)


def test_every_segment_lists_its_nace_bel_2025_codes(demo, db):
    expected = {spec.slug: {c.replace(".", "") for c in spec.nace_codes} for ch in VALUE_CHAINS for spec in ch.segments}
    assert Segment.objects.count() == len(expected) == 10
    for segment in Segment.objects.prefetch_related("nace_codes"):
        codes = list(segment.nace_codes.all())
        assert {n.code for n in codes} == expected[segment.slug]
        assert all(n.version == NaceCode.Version.V2025 for n in codes)
    assert {s.slug for s in Segment.objects.filter(nace_codes__code="4323")} == {"isolation-finitions"}


def test_invented_companies_have_real_nace_codes_of_their_segments(demo, db):
    companies = Organisation.objects.exclude(enterprise_number=None).prefetch_related(
        "activities__nace", "segments__nace_codes"
    )
    for org in companies:
        activities = list(org.activities.all())
        assert sum(a.is_main for a in activities) == 1, org
        assert all(a.nace.version == NaceCode.Version.V2025 for a in activities)
        if org.kind in (Organisation.Kind.COMPANY, Organisation.Kind.STARTUP):
            main = next(a.nace.code for a in activities if a.is_main)
            prefixes = {n.code for s in org.segments.all() for n in s.nace_codes.all()}
            assert any(main.startswith(p) for p in prefixes), (org, main, prefixes)


def test_invented_companies_are_walloon_and_point_to_example_domains(demo, db):
    companies = Organisation.objects.exclude(enterprise_number=None).prefetch_related("sites__postal_code")
    provinces = {}
    for org in companies:
        head = org.head_office
        assert is_walloon_postal_code(head.postal_code.code), org
        assert org.website.endswith(".example/") and org.email.endswith(".example")
        assert org.description_fr and org.description_en
        provinces[head.municipality.province_id] = provinces.get(head.municipality.province_id, 0) + 1
    assert len(provinces) == 5
    assert Organisation.objects.exclude(description_nl="").exists()
    assert Organisation.objects.exclude(description_de="").exists()


def test_real_research_organisations_are_present_with_their_real_names(demo, db):
    expected = {
        "Université de Liège": Organisation.Kind.UNIVERSITY,
        "Université catholique de Louvain": Organisation.Kind.UNIVERSITY,
        "Université de Mons": Organisation.Kind.UNIVERSITY,
        "Haute École Libre Mosane": Organisation.Kind.UNIVERSITY,
        "Materia Nova": Organisation.Kind.RESEARCH_CENTRE,
        "Centre wallon de Recherches agronomiques": Organisation.Kind.RESEARCH_CENTRE,
        "Service Public de Wallonie": Organisation.Kind.PUBLIC_BODY,
    }
    for name, kind in expected.items():
        org = Organisation.objects.get(name=name)
        assert org.kind == kind
        assert org.sites.get().postal_code.code
    assert "University of Mons" in Organisation.objects.get(name="Université de Mons").other_names
    assert "Université de Mons-Hainaut" in Organisation.objects.get(name="Université de Mons").other_names
    assert Organisation.objects.filter(name__in=_real_names()).count() == len(_real_names()) >= 40


def test_real_organisations_get_no_membership_number_activity_or_invented_contact(demo, db):
    real = Organisation.objects.filter(name__in=_real_names())
    assert not Membership.objects.filter(organisation__in=real).exists()
    assert not real.exclude(enterprise_number=None).exists()
    assert not real.filter(activities__isnull=False).exists()
    assert not Relationship.objects.filter(source__in=real).exists()
    assert not Relationship.objects.filter(target__in=real).exists()
    assert not Affiliation.objects.filter(organisation__in=real).exclude(email="").exists()
    assert not real.exclude(internal_notes="").exists()


def test_people_have_positions_languages_interests_and_consents(demo, db):
    assert 400 <= Person.objects.count() <= 500
    with_consent = Person.objects.filter(consents__isnull=False).distinct().count()
    assert with_consent >= 0.7 * Person.objects.count()
    assert Consent.objects.filter(withdrawn_at__isnull=False).exists()
    assert (
        Consent.objects.filter(withdrawn_at__date__lt=TODAY).count()
        == Consent.objects.exclude(withdrawn_at=None).count()
    )
    assert not Person.objects.filter(languages=[]).exists()
    assert Person.objects.filter(interests__isnull=False).distinct().count() == Person.objects.count()
    movers = Person.objects.filter(affiliations__end_date__isnull=False).distinct()
    assert movers.count() >= 15
    for person in movers:
        assert person.affiliations.filter(end_date__isnull=True).exists()
    emails = list(Affiliation.objects.exclude(email="").values_list("email", flat=True))
    assert len(emails) == len(set(emails)) and all(e.endswith(".example") for e in emails)


def test_about_seventy_percent_of_members_consent_to_a_public_profile(demo, db):
    members = Organisation.objects.filter(pk__in=member_ids_on(TODAY))
    share = members.filter(public_profile_consent=True).count() / members.count()
    assert 0.55 <= share <= 0.85


def test_taxonomies_are_translated_in_four_languages(demo, db):
    assert ValueChain.objects.count() == 2
    assert Competence.objects.filter(parent__isnull=False).count() >= 20
    assert Topic.objects.count() >= 10
    for model in (ValueChain, Segment, Competence, Topic):
        for item in model.objects.all():
            assert item.name_fr and item.name_en and item.name_nl and item.name_de, item


def test_the_history_is_dated_over_five_years_and_never_in_the_future(demo, db):
    assert AuditEntry.objects.filter(at__date__gt=TODAY).count() == 0
    assert AuditEntry.objects.filter(at__date__lt=TODAY.replace(year=TODAY.year - 4)).exists()
    member = Organisation.objects.filter(pk__in=member_ids_on(TODAY)).order_by("name").first()
    actions = set(AuditEntry.objects.filter(organisation_id=member.pk).values_list("action", flat=True))
    assert {"ecosystem.organisation.created", "ecosystem.site.created", "ecosystem.membership.created"} <= actions
    assert Organisation.objects.filter(created_at__date__lt=TODAY.replace(year=TODAY.year - 2)).exists()
    consent_given = AuditEntry.objects.filter(action="ecosystem.consent.given").count()
    assert consent_given == Consent.objects.count()


def test_demo_logins_are_printed_and_work(demo, db):
    assert f"Staff login: staff@ccw.demo / password: {DEMO_PASSWORD}" in demo.output
    staff = authenticate(email="staff@ccw.demo", password=DEMO_PASSWORD)
    assert staff is not None and staff.role == User.Role.STAFF
    admin = User.objects.get(email="admin@ccw.demo")
    assert admin.role == User.Role.ADMIN and admin.is_superuser
    assert User.objects.get(email="observer@ccw.demo").role == User.Role.OBSERVER
    member = User.objects.get(email="member@ccw.demo")
    assert member.role == User.Role.MEMBER and member.person is not None
    employer = member.person.affiliations.get(end_date=None).organisation
    assert employer.pk in member_ids_on(TODAY)
    assert employer.name not in _real_names()


def test_loading_twice_on_the_same_day_gives_the_same_cluster(demo, db):
    load(io.StringIO(), today=TODAY)
    assert demo_digest() == demo.digest


def test_the_demo_command_flush_empties_domain_data_and_keeps_the_referential(demo, db):
    nace_before = NaceCode.objects.count()
    services.organisation_create(actor=None, name="Organisation à effacer")
    flush_domain_data()
    assert Organisation.objects.count() == 0 and Person.objects.count() == 0
    assert AuditEntry.objects.count() == 0
    assert NaceCode.objects.count() == nace_before > 0
    assert User.objects.filter(email="staff@ccw.demo").exists()
