"""The trust tests' fixture world: one real object behind every URL kwarg, and sentinels in private fields.

Two member organisations (A and B) with their member users, an observer, staff and an admin; around them
every app's objects. Member A's confidential objects (consortium project, interactions, collaboration)
belong to A only, so member B must be refused them. Every private field carries a sentinel string:

- ``STAFF_SENTINEL`` (``zqxstaff…``): staff-only fields (internal notes, fees, staff comments, internal rows);
- ``PRIVATE_SENTINEL`` (``zqxpriv…``): personal contact data of people (private e-mail, phone);
- ``A_SENTINEL`` (``zqxconfa…``): member A's confidential content (visible to A and staff only).

``FEE`` is a membership fee no page may show to a non-staff reader.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from grappe.accounts.models import User

STAFF_SENTINEL = "zqxstaff"
PRIVATE_SENTINEL = "zqxpriv"
A_SENTINEL = "zqxconfa"
FEE = Decimal("98765.43")
FEE_FORMS = ("98765", "98 765", "98 765", "98.765", "98,765", "98 765")
ROLES = ("anonymous", "member_a", "member_b", "observer", "staff", "admin")


def s(kind: str, tag: str) -> str:
    return f"{kind}-{tag}"


@dataclass
class World:
    users: dict[str, User | None] = field(default_factory=dict)
    objects: dict[str, Any] = field(default_factory=dict)
    media_root: Any = None

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["objects"][name]
        except KeyError as exc:
            raise AttributeError(name) from exc


def _aware(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_default_timezone())


def _user(email: str, role: str, **extra: Any) -> User:
    # No password: the matrix logs in with force_login, and an unusable password costs no hashing.
    return User.objects.create_user(email=email, password=None, role=role, **extra)


def build_world() -> World:
    from grappe.ecosystem import services as eco
    from grappe.ecosystem.models import Competence, Consent, Organisation, Relationship, Segment, Topic, ValueChain
    from grappe.referential.models import NaceCode

    w = World()
    o = w.objects
    today = timezone.localdate()

    # --- people and organisations (ecosystem) ---------------------------------------------------------
    vc = ValueChain.objects.create(name="Construction circulaire", slug="construction-circulaire")
    segment = Segment.objects.create(value_chain=vc, name="Matériaux", slug="materiaux")
    competence = Competence.objects.create(name="Béton bas carbone", slug="beton-bas-carbone")
    topic = Topic.objects.create(name="Réemploi", slug="reemploi")
    o.update(value_chain=vc, segment=segment, competence=competence, topic=topic)

    def member_org(name: str, number: str, postal: str, tag: str) -> Organisation:
        org = eco.organisation_create(
            actor=None,
            name=name,
            kind=Organisation.Kind.COMPANY,
            enterprise_number=number,
            description=f"{name} recycle les granulats.",
            internal_notes=s(STAFF_SENTINEL, f"org-notes-{tag}"),
        )
        eco.site_add(actor=None, organisation=org, postal_code=postal, street="Rue de l'Industrie", number="1")
        eco.membership_create(
            actor=None,
            organisation=org,
            start_date=dt.date(2022, 1, 1),
            yearly_fee=FEE,
            notes=s(STAFF_SENTINEL, f"membership-notes-{tag}"),
        )
        Organisation.objects.filter(pk=org.pk).update(
            public_profile_consent=True, public_profile_consent_at=timezone.now()
        )
        org.refresh_from_db()
        org.segments.add(segment)
        org.competences.add(competence)
        return org

    org_a = member_org("Alpha Matériaux", "0403.019.261", "5000", "a")
    org_b = member_org("Béton Bêta", "0202.239.951", "4000", "b")
    prospect = eco.organisation_create(
        actor=None,
        name="Gamma Prospect",
        kind=Organisation.Kind.COMPANY,
        internal_notes=s(STAFF_SENTINEL, "prospect-notes"),
    )
    Relationship.objects.create(source=org_a, target=org_b, kind="supplier", note=s(STAFF_SENTINEL, "relationship"))
    nace = NaceCode.objects.filter(level=5).first() or NaceCode.objects.first()
    if nace is not None:
        from grappe.ecosystem.models import Activity

        Activity.objects.create(organisation=org_a, nace=nace, is_main=True)
    o.update(org_a=org_a, org_b=org_b, prospect=prospect, nace=nace)

    def person(first: str, last: str, email: str, org: Organisation, tag: str, **kw: Any):
        p = eco.person_create(
            actor=None,
            first_name=first,
            last_name=last,
            email=email,
            phone=kw.pop("phone", ""),
            notes=s(STAFF_SENTINEL, f"person-notes-{tag}"),
        )
        aff = eco.affiliation_create(
            actor=None, person=p, organisation=org, function="Directrice", email=email, is_primary_contact=True, **kw
        )
        return p, aff

    person_a, aff_a = person("Anna", "Alpha", "anna@alpha.test", org_a, "a")
    person_b, aff_b = person("Bruno", "Bêta", "bruno@beta.test", org_b, "b")
    # A colleague of A whose private contact data only staff (and herself) may read.
    contact_a = eco.person_create(
        actor=None,
        first_name="Clara",
        last_name="Contact",
        email=f"{PRIVATE_SENTINEL}-email@example.test",
        phone="+32 470 99 88 77",
        notes=s(STAFF_SENTINEL, "contact-notes"),
    )
    eco.affiliation_create(
        actor=None,
        person=contact_a,
        organisation=org_a,
        function="Acheteuse",
        email="clara.work@alpha.test",
        phone="+32 81 99 88 77",
    )
    consent = eco.consent_record(actor=None, person=contact_a, purpose=Consent.Purpose.NEWSLETTER)
    eco.consent_record(actor=None, person=person_a, purpose=Consent.Purpose.EVENTS)
    o.update(person_a=person_a, person_b=person_b, contact_a=contact_a, aff_a=aff_a, aff_b=aff_b, consent=consent)
    o["membership_a"] = org_a.memberships.get()
    o["membership_b"] = org_b.memberships.get()
    o["site_a"] = org_a.sites.first()

    # --- users ----------------------------------------------------------------------------------------
    w.users = {
        "anonymous": None,
        "member_a": _user("anna@alpha.test", User.Role.MEMBER, person=person_a, full_name="Anna Alpha"),
        "member_b": _user("bruno@beta.test", User.Role.MEMBER, person=person_b, full_name="Bruno Bêta"),
        "observer": _user("observer@region.test", User.Role.OBSERVER, full_name="Olivia Observer"),
        "staff": _user("staff@cluster.test", User.Role.STAFF, full_name="Sophie Staff"),
        "admin": _user("admin@cluster.test", User.Role.ADMIN, full_name="Alex Admin", is_staff=True, is_superuser=True),
    }
    staff = w.users["staff"]

    from grappe.accounts import tokens

    token_a, _plain = tokens.token_create(actor=None, user=w.users["member_a"], name="site", scopes=["ecosystem:read"])
    o["token_a"] = token_a

    _register(o)
    _watch(o, staff)
    _events(o, today)
    _partnerships(o, staff, today)
    _innovation(o, staff, today)
    _objectives(o, staff)
    _extras(o, w)
    return w


def _extras(o: dict[str, Any], w: World) -> None:
    """Objects of pages added late (documents, public-profile proposals, webhooks); each optional."""
    import uuid

    from django.apps import apps

    if apps.is_installed("grappe.innovation"):
        from grappe.innovation.models import ProjectDocument

        doc = ProjectDocument(project=o["project"], title=s(A_SENTINEL, "project-document"))
        doc.file.save("plan.pdf", ContentFile(b"%PDF-1.4 project"), save=True)
        o["project_document"] = doc
    from django_otp.plugins.otp_totp.models import TOTPDevice

    o["totp_device"] = TOTPDevice.objects.create(user=w.users["staff"], name="authenticator", confirmed=True)
    try:
        from grappe.showcase.models import ProfileProposal

        o["proposal"] = ProfileProposal.objects.create(
            organisation=o["org_a"], proposed={"website": "https://alpha.example"}, submitted_by=w.users["member_a"]
        )
    except ImportError:
        pass
    try:
        from grappe.showcase.models import Opportunity, Post

        now = timezone.now()
        o["post"] = Post.objects.create(
            kind="news", status="published", slug="nouvelle-norme", published_at=now, title_fr="Nouvelle norme"
        )
        o["draft_post"] = Post.objects.create(
            kind="news", status="draft", slug="brouillon", title_fr=s(STAFF_SENTINEL, "draft-post")
        )
        o["opportunity"] = Opportunity.objects.create(
            kind="partnership_offer",
            status="pending",
            title=s(A_SENTINEL, "pending-opportunity"),
            description="Offre en attente de modération",
            organisation=o["org_a"],
            expires_on=timezone.localdate() + dt.timedelta(days=30),
            moderation_note=s(STAFF_SENTINEL, "moderation-note"),
        )
        # Withdrawn by its poster: gone from every public page, feed and profile at once.
        o["withdrawn_opportunity"] = Opportunity.objects.create(
            kind="job",
            status="withdrawn",
            title=s(A_SENTINEL, "withdrawn-opportunity"),
            description=s(A_SENTINEL, "withdrawn-opportunity-text"),
            organisation=o["org_a"],
            expires_on=timezone.localdate() + dt.timedelta(days=30),
            published_at=now,
            posted_by=w.users["member_a"],
            contact_email="offres@alpha.example",
            moderation_note=s(STAFF_SENTINEL, "withdrawn-moderation-note"),
        )
    except ImportError:
        pass
    try:
        from grappe.showcase.models import Certification

        # Member A's own certifications (A may read them in the portal); the team's comments are staff-only.
        o["private_certification"] = Certification.objects.create(
            organisation=o["org_a"],
            name=s(A_SENTINEL, "private-certification"),
            issuer=s(A_SENTINEL, "private-certification-issuer"),
            reference=s(A_SENTINEL, "private-certification-ref"),
            is_public=False,
            status="approved",
            review_comment=s(STAFF_SENTINEL, "private-certification-comment"),
        )
        o["pending_certification"] = Certification.objects.create(
            organisation=o["org_a"],
            name=s(A_SENTINEL, "pending-certification"),
            reference=s(A_SENTINEL, "pending-certification-ref"),
            is_public=True,
            status="pending",
            review_comment=s(STAFF_SENTINEL, "pending-certification-comment"),
            submitted_by=w.users["member_a"],
        )
    except ImportError:
        pass
    try:
        from grappe.core.models import Webhook, WebhookDelivery

        hook = Webhook.objects.create(name="CRM", url="https://crm.example/hook", events=["organisation.updated"])
        o["webhook"] = hook
        o["webhook_delivery"] = WebhookDelivery.objects.create(
            webhook=hook, event="organisation.updated", event_id=uuid.uuid4(), payload={}
        )
    except ImportError:
        pass


def _register(o: dict[str, Any]) -> None:
    from grappe.register.models import Enterprise, ImportRun, RegisterChange, RegisterLink

    enterprise = Enterprise.objects.create(number=403019261, name="Alpha Matériaux", zipcode="5000", status="AC")
    o["enterprise"] = enterprise
    o["register_link"] = RegisterLink.objects.create(
        organisation=o["org_a"], enterprise_number=403019261, status="candidate", score=0.9, matched_name="Alpha"
    )
    o["import_run"] = ImportRun.objects.create(extract_number=1, kind="full", status="succeeded")
    o["register_change"] = RegisterChange.objects.create(
        run=o["import_run"], extract_number=1, enterprise_number=403019261, name="Alpha", kind="name_changed"
    )


def _watch(o: dict[str, Any], staff: User) -> None:
    from grappe.watch import services as watch
    from grappe.watch.models import Digest, FetchLog, Item, Subscription, TopicProfile, TopicRule

    source = watch.source_create(actor=None, url="https://example.org/feed.xml", title="Source réemploi")
    now = timezone.now()
    item = Item.objects.create(
        source=source,
        dedup_key="k1",
        title="Nouvelle norme granulats recyclés",
        link="https://example.org/norme",
        summary="La norme change.",
        published_at=now,
        fetched_at=now,
        annotation=s(STAFF_SENTINEL, "watch-annotation"),
    )
    public_topic = o["topic"]
    TopicProfile.objects.create(topic=public_topic, public_feed=True)
    from grappe.ecosystem.models import Topic

    private_topic = Topic.objects.create(name="Veille privée", slug="veille-privee")
    TopicProfile.objects.create(topic=private_topic, public_feed=False)
    TopicRule.objects.create(topic=public_topic, expression="granulats")
    from grappe.watch.models import ItemTopic

    ItemTopic.objects.create(item=item, topic=public_topic, origin="rule", score=1.0)
    ItemTopic.objects.create(item=item, topic=private_topic, origin="rule", score=1.0)
    subscription = Subscription.objects.create(person=o["person_a"], topic=public_topic)
    digest = Digest.objects.create(
        person=o["person_a"],
        email="anna@alpha.test",
        language="fr",
        period_start=now - dt.timedelta(days=7),
        period_end=now,
        subject="Votre veille",
        html="<p>Veille</p>",
        text="Veille",
    )
    FetchLog.objects.create(source=source, started_at=now, outcome="ok")
    o.update(
        source=source,
        item=item,
        private_topic=private_topic,
        subscription=subscription,
        digest_a=digest,
    )
    from grappe.watch import digests

    o["unsubscribe_token"] = digests.unsubscribe_token(o["person_a"].pk, public_topic.pk)


def _events(o: dict[str, Any], today: dt.date) -> None:
    from grappe.events import matchmaking, services
    from grappe.events.models import CalendarFeed, Event

    day = today + dt.timedelta(days=10)
    with services.messages_suppressed():
        event = services.event_create(
            actor=None,
            title="Atelier réemploi",
            start=_aware(day, 9),
            end=_aware(day, 12),
            venue_name="Centre",
            venue_address="Rue 1",
            capacity=50,
            status=Event.Status.PUBLISHED,
        )
        hidden = services.event_create(
            actor=None,
            title=s(STAFF_SENTINEL, "invitation-event"),
            start=_aware(day, 14),
            end=_aware(day, 16),
            venue_name="Salle privée",
            venue_address="Rue 2",
            audience=Event.Audience.INVITATION,
            status=Event.Status.DRAFT,
        )
        b2b = services.event_create(
            actor=None,
            title="Journée B2B",
            kind=Event.Kind.B2B,
            start=_aware(day, 9),
            end=_aware(day, 17),
            venue_name="Palais",
            venue_address="Place 1",
            capacity=100,
            status=Event.Status.PUBLISHED,
        )
        reg_a = services.registration_create(
            actor=None, event=event, person=o["person_a"], organisation=o["org_a"], consent=True
        )
        reg_b2b_a = services.registration_create(
            actor=None, event=b2b, person=o["person_a"], organisation=o["org_a"], consent=True
        )
        reg_b2b_b = services.registration_create(
            actor=None, event=b2b, person=o["person_b"], organisation=o["org_b"], consent=True
        )
        session = matchmaking.session_create(actor=None, event=b2b, tables=2, meeting_minutes=30)
        matchmaking.slots_generate(actor=None, session=session, blocks=[(_aware(day, 9), _aware(day, 11), "matin")])
        part_a = matchmaking.participant_join(
            actor=None,
            session=session,
            person=o["person_a"],
            organisation=o["org_a"],
            registration=reg_b2b_a,
            type="supplier",
        )
        part_b = matchmaking.participant_join(
            actor=None,
            session=session,
            person=o["person_b"],
            organisation=o["org_b"],
            registration=reg_b2b_b,
            type="buyer",
        )
        meeting_request = matchmaking.request_create(
            actor=None, requester=part_a, target=part_b, message="Rencontrons-nous (message adressé à B)"
        )
        meeting = matchmaking.meeting_impose(actor=None, a=part_a, b=part_b)
    feed = CalendarFeed.objects.create(person=o["person_a"])
    o.update(
        event=event,
        hidden_event=hidden,
        b2b=b2b,
        reg_a=reg_a,
        session=session,
        part_a=part_a,
        part_b=part_b,
        meeting_request=meeting_request,
        meeting=meeting,
        calendar_feed=feed,
        registration_token=services.registration_signed_token(reg_a),
    )


def _partnerships(o: dict[str, Any], staff: User, today: dt.date) -> None:
    from grappe.partnerships import services
    from grappe.partnerships.models import Collaboration, CollaborationDocument, Interaction, Reminder

    collaboration = services.collaboration_create(
        actor=None,
        title=s(A_SENTINEL, "collaboration"),
        kind=Collaboration.Kind.RD_PROJECT if hasattr(Collaboration.Kind, "RD_PROJECT") else "rd_project",
        partners=[o["org_a"], o["prospect"]],
        internal_notes=s(STAFF_SENTINEL, "collaboration-notes"),
    )
    document = CollaborationDocument(
        collaboration=collaboration, title=s(STAFF_SENTINEL, "internal-document"), is_internal=True
    )
    document.file.save("plan.pdf", ContentFile(b"%PDF-1.4 " + STAFF_SENTINEL.encode()), save=True)
    introduction = services.introduction_create(
        actor=None,
        organisation_a=o["org_a"],
        organisation_b=o["prospect"],
        reason=s(A_SENTINEL, "introduction-reason"),
        notes=s(STAFF_SENTINEL, "introduction-notes"),
    )
    request = services.introduction_request_submit(
        actor=None, organisation=o["org_a"], needs=s(A_SENTINEL, "introduction-needs"), person=o["person_a"]
    )
    from grappe.partnerships.models import IntroductionRequest

    IntroductionRequest.objects.filter(pk=request.pk).update(staff_notes=s(STAFF_SENTINEL, "request-staff-notes"))
    interaction = services.interaction_log(
        actor=None,
        organisation=o["org_a"],
        kind=Interaction.Kind.CALL if hasattr(Interaction.Kind, "CALL") else "call",
        date=today,
        summary=s(A_SENTINEL, "interaction-summary"),
        notes=s(STAFF_SENTINEL, "interaction-notes"),
    )
    internal = services.interaction_log(
        actor=None,
        organisation=o["org_a"],
        kind="visit",
        date=today,
        summary=s(STAFF_SENTINEL, "internal-interaction"),
        is_internal=True,
    )
    Reminder.objects.create(interaction=interaction, due_on=today, recipient="staff@cluster.test")
    o.update(
        collaboration=collaboration,
        collaboration_partner=collaboration.partners.get(organisation=o["prospect"]),
        document=document,
        introduction=introduction,
        introduction_request=request,
        interaction=interaction,
        internal_interaction=internal,
    )


def _innovation(o: dict[str, Any], staff: User, today: dt.date) -> None:
    from grappe.innovation import services
    from grappe.innovation.models import FundingCall, StoryDraft

    call = FundingCall.objects.create(
        title="Appel Win4Excellence",
        programme="Win2Wal",
        funder="SPW",
        opens_on=today - dt.timedelta(days=30),
        closes_on=today + dt.timedelta(days=60),
    )
    project = services.project_create(
        actor=None,
        title=s(A_SENTINEL, "project-title"),
        summary=s(A_SENTINEL, "project-summary"),
        lead_organisation=o["org_a"],
        owner=staff,
        internal_notes=s(STAFF_SENTINEL, "project-notes"),
    )
    secret = services.project_create(
        actor=None,
        title=s(STAFF_SENTINEL, "staff-project"),
        lead_organisation=o["org_a"],
        owner=staff,
        confidentiality="staff",
    )
    partner = services.partner_add(actor=None, project=project, organisation=o["prospect"], role="research")
    item = project.checklist.first() if hasattr(project, "checklist") else None
    if item is None:
        from grappe.innovation.models import GateChecklistItem

        item = GateChecklistItem.objects.filter(project=project).first()
    story = StoryDraft.objects.create(project=project, title="Histoire", body=s(A_SENTINEL, "story-body"))
    services.support_action_log(
        actor=None, kind="coaching", date=today, hours="2", project=project, summary=s(STAFF_SENTINEL, "support")
    )
    o.update(call=call, project=project, staff_project=secret, project_partner=partner, gate_item=item, story=story)


def _objectives(o: dict[str, Any], staff: User) -> None:
    from grappe.objectives import services
    from grappe.objectives.models import ReportArchive

    contract = services.contract_create(actor=None, title="Contrat CCW", start_year=2024, status="active")
    objective = services.objective_create(actor=None, contract=contract, code="G", mission="G", title="Gouvernance")
    indicator = services.indicator_create(
        actor=None, objective=objective, code="G1", label="Comités", unit="réunions", kind="manual"
    )
    services.targets_set(actor=None, indicator=indicator, values={2024: "2"})
    measurement = services.measurement_create(
        actor=staff,
        indicator=indicator,
        year=2024,
        value="2",
        note=s(STAFF_SENTINEL, "measurement-note"),
        evidence_link="https://example.org/pv",
    )
    archive = ReportArchive.objects.create(
        contract=contract, year=2024, snapshot_date=dt.date(2024, 12, 31), numbers={}
    )
    o.update(contract=contract, objective=objective, indicator=indicator, measurement=measurement, archive=archive)
