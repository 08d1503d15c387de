"""The partnerships demo on top of the ecosystem demo: every capability has believable data.

(The B2B offers the suggestions read come from the events demo, left out here: it doubles the time, and
test_suggestions covers suggestions from real matchmaking profiles.)
"""

import datetime as dt
import io

import pytest
from django.core import mail
from django.utils import timezone

from grappe.ecosystem.demo import load as load_ecosystem
from grappe.ecosystem.models import Organisation
from grappe.ecosystem.selectors import member_ids_on
from grappe.partnerships import selectors
from grappe.partnerships.demo import load
from grappe.partnerships.models import (
    Collaboration,
    CollaborationDocument,
    Interaction,
    Introduction,
    IntroductionRequest,
    Partner,
)
from grappe.partnerships.reminders import send_reminders
from grappe.partnerships.suggestions import suggest
from grappe.partnerships.timeline import organisation_timeline

pytestmark = pytest.mark.django_db


def test_the_demo_fills_every_part_of_the_partnerships_app(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    today = timezone.localdate()
    load_ecosystem(io.StringIO())
    out = io.StringIO()
    load(out)
    assert "partnerships:" in out.getvalue() and "documents" in out.getvalue()

    # Collaborations of every kind, members and non-members among the partners, tags, countries, documents.
    assert set(Collaboration.objects.values_list("kind", flat=True)) == set(Collaboration.Kind.values)
    assert set(Collaboration.objects.values_list("status", flat=True)) == set(Collaboration.Status.values)
    members = member_ids_on(today)
    partners = set(Partner.objects.values_list("organisation_id", flat=True))
    assert partners & members and partners - members
    assert all(c.partners.count() >= 2 for c in Collaboration.objects.all())
    assert Collaboration.objects.filter(transition_digital=True).exists()
    assert all("m2" in c.missions for c in Collaboration.objects.all())
    international = selectors.international_cooperations(today - dt.timedelta(days=3 * 365), today)
    assert {str(country) for c in international for country in c.foreign_countries} >= {"FR", "NL", "DE", "LU"}
    assert CollaborationDocument.objects.exclude(url="").exists()
    internal_files = CollaborationDocument.objects.filter(is_internal=True).exclude(file="")
    assert internal_files.exists() and all(d.file.storage.exists(d.file.name) for d in internal_files)

    # Introductions with channels and outcomes; "collaboration started" links a collaboration of both.
    assert Introduction.objects.count() >= 60
    assert len(set(Introduction.objects.values_list("channel", flat=True))) >= 3
    started = Introduction.objects.filter(outcome="collaboration_started")
    assert started.exists()
    for introduction in started:
        both = set(introduction.collaboration.partners.values_list("organisation_id", flat=True))
        assert {introduction.organisation_a_id, introduction.organisation_b_id} <= both

    # Interactions with next actions due in the coming weeks: their owners are reminded once.
    assert Interaction.objects.filter(next_action_due__gte=today, next_action_done=False).exists()
    due = Interaction.objects.filter(next_action_due__gte=today).order_by("next_action_due").first().next_action_due
    assert send_reminders(due) >= 1 and mail.outbox
    assert send_reminders(due) == 0

    # Open portal requests in the staff queue, with suggestions drawn from the ecosystem.
    open_requests = IntroductionRequest.objects.filter(status__in=IntroductionRequest.OPEN_STATUSES)
    assert open_requests.count() >= 4
    assert (
        open_requests.filter(segments__isnull=False).exists()
        and open_requests.filter(nace_codes__isnull=False).exists()
    )
    suggestions = [s for request in open_requests for s in suggest(request)]
    assert suggestions and all(s.reason for s in suggestions)

    # A busy member's timeline mixes the sources, and its engagement score counts them.
    def activity(pk: int) -> int:
        return (
            Interaction.objects.filter(organisation_id=pk).count() + Partner.objects.filter(organisation_id=pk).count()
        )

    busiest = Organisation.objects.get(pk=max(sorted(members), key=activity))
    kinds = {item.kind for item in organisation_timeline(busiest, staff=True)}
    assert {"interaction", "collaboration", "membership"} <= kinds
    assert selectors.engagement_for(busiest.pk, today).total > 0
