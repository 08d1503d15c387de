"""Global leak scan: sentinels planted in every private field (see ``tests/trust/world.py``) must not appear
in anything an unauthorised reader can fetch: public pages in four languages, feeds, sitemap, robots,
open data, widgets, API answers, portal pages of another member, reports of observers, nor e-mails sent
to people outside the cluster team.

The scan walks every GET URL pattern (the same list as the permission matrix), so a new public page or
API endpoint is scanned without anyone adding it here.
"""

import pytest
from django.core import mail
from django.db import transaction
from django.utils import translation

from tests.trust.test_permission_matrix import ROUTES, expectation
from tests.trust.urlwalk import path_for
from tests.trust.world import A_SENTINEL, FEE_FORMS, PRIVATE_SENTINEL, STAFF_SENTINEL

PRIVATE_PHONE = "470 99 88 77"
# What each reader must never see. Member A may read their own confidential rows, never staff-only fields.
FORBIDDEN = {
    "anonymous": (STAFF_SENTINEL, PRIVATE_SENTINEL, A_SENTINEL, PRIVATE_PHONE, *FEE_FORMS),
    "member_b": (STAFF_SENTINEL, PRIVATE_SENTINEL, A_SENTINEL, PRIVATE_PHONE, *FEE_FORMS),
    "observer": (STAFF_SENTINEL, PRIVATE_SENTINEL, A_SENTINEL, PRIVATE_PHONE, *FEE_FORMS),
    "member_a": (STAFF_SENTINEL, PRIVATE_SENTINEL, PRIVATE_PHONE, *FEE_FORMS),
}
LANGUAGES = ("fr", "en", "nl", "de")


def _get_routes() -> list:
    return [r for r in ROUTES if (e := expectation(r)) is not None and e[1] == "GET" and not r.key.startswith("admin")]


def _body(response) -> str:
    content = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    return content.decode("utf-8", errors="replace")


def _found(text: str, forbidden: tuple[str, ...]) -> list[str]:
    lowered = text.lower()
    return [needle for needle in forbidden if needle.lower() in lowered]


def _paths(route, world) -> list[str]:
    if not route.i18n:
        return [path_for(route, world)]
    paths = []
    for language in LANGUAGES:
        with translation.override(language):
            fr_path = path_for(route, world)
        paths.append(f"/{language}/" + fr_path.split("/", 2)[2] if fr_path.startswith("/fr/") else fr_path)
    return paths


@pytest.mark.parametrize("role", list(FORBIDDEN))
def test_no_private_value_reaches_a_reader_who_may_not_see_it(role, world, clients, db, settings):
    settings.MEDIA_ROOT = world.media_root
    client = clients[role]
    leaks = []
    scanned = 0
    for route in _get_routes():
        for path in _paths(route, world):
            with transaction.atomic():
                response = client.get(path)
                transaction.set_rollback(True)
            if response.status_code != 200:
                continue
            scanned += 1
            found = _found(_body(response), FORBIDDEN[role])
            if found:
                leaks.append(f"{path}: {found}")
    assert scanned > 10, "the scan fetched almost nothing: is the world built?"
    assert not leaks, f"{role} can read private values:\n" + "\n".join(leaks)


def test_the_scan_would_see_a_leak(world, clients, db):
    """Staff pages do show the sentinels: the scan is not blind (wrong encoding, empty pages...)."""
    from django.urls import reverse

    response = clients["staff"].get(reverse("ecosystem:organisation_detail", args=[world.org_a.pk]))
    assert _found(_body(response), (STAFF_SENTINEL,))


def test_private_topic_feed_with_a_token_and_public_feeds_carry_no_annotations(world, clients, db):
    from django.urls import reverse

    from grappe.watch import digests

    token = digests.feed_token(world.users["member_a"])
    url = reverse("watch:topic_feed", kwargs={"slug": world.private_topic.slug, "kind": "rss"})
    response = clients["anonymous"].get(f"{url}?token={token}")
    assert response.status_code == 200
    assert not _found(_body(response), (STAFF_SENTINEL,))
    public = reverse("watch:topic_feed", kwargs={"slug": world.topic.slug, "kind": "rss"})
    response = clients["anonymous"].get(public)
    assert response.status_code == 200
    assert not _found(_body(response), (STAFF_SENTINEL, PRIVATE_SENTINEL, A_SENTINEL))


def test_emails_to_people_outside_the_team_carry_no_private_value(world, db, settings):
    """Registration, matchmaking agenda, watch digest, colleague invitation and opportunity reminder e-mails to
    members carry no staff-only or private field."""
    from grappe.events import emails
    from grappe.events.models import Meeting
    from grappe.watch import digests

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    mail.outbox = []
    for kind in ("confirmation", "reminder_7", "cancellation"):
        emails.registration_message(world.reg_a, kind).send()
    emails.agenda_message(world.part_b, list(Meeting.objects.filter(session=world.session, slot__isnull=False))).send()
    digests.send_digest(world.person_a, force=True)
    # The invitation to a colleague's portal and the reminder of an expiring opportunity (to its member poster).
    from grappe.ecosystem.portal_colleagues import send_colleague_invitation
    from grappe.showcase.opportunity_reminders import _message as opportunity_reminder

    sent = len(mail.outbox)
    send_colleague_invitation.call(world.users["member_b"].pk, world.org_b.pk, "Bruno Bêta")
    opportunity_reminder(world.withdrawn_opportunity).send()
    assert len(mail.outbox) == sent + 2, "the invitation or the reminder was not sent"
    assert mail.outbox, "no e-mail was produced"
    leaks = []
    for message in mail.outbox:
        parts = [message.subject, message.body] + [alt[0] for alt in getattr(message, "alternatives", [])]
        text = "\n".join(str(p) for p in parts)
        forbidden = (STAFF_SENTINEL, PRIVATE_SENTINEL, PRIVATE_PHONE, *FEE_FORMS)
        if "bruno" in ",".join(message.to):
            forbidden = (*forbidden, A_SENTINEL)
        if found := _found(text, forbidden):
            leaks.append(f"{message.to} «{message.subject}»: {found}")
    assert not leaks, "\n".join(leaks)
