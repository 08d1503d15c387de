"""Watch pages: every view for every role, then what each page does."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from grappe.ecosystem.models import Topic
from grappe.watch import digests, services
from grappe.watch.models import Digest, Item, ItemTopic, Source, Subscription, TopicProfile

ROLES = ["anonymous", "member_a", "member_b", "observer", "staff", "admin"]


@pytest.fixture
def clients(client, member_a_client, member_b_client, observer_client, staff_client, admin_client_):
    return {
        "anonymous": client,
        "member_a": member_a_client,
        "member_b": member_b_client,
        "observer": observer_client,
        "staff": staff_client,
        "admin": admin_client_,
    }


@pytest.fixture
def data(db, member_a, member_b, staff_user):
    private = Topic.objects.create(name="Amiante", slug="amiante")
    public = Topic.objects.create(name="Économie circulaire", slug="economie-circulaire")
    TopicProfile.objects.create(topic=private)
    TopicProfile.objects.create(topic=public, public_feed=True)
    source = Source.objects.create(url="https://www.wallonie.example/rss", title="Wallonie", category="regulation")
    now = timezone.now()
    item = Item.objects.create(
        source=source,
        title="Nouvel arrêté amiante",
        link="https://www.wallonie.example/amiante",
        canonical_url="https://www.wallonie.example/amiante",
        dedup_key="k1",
        published_at=now,
        fetched_at=now,
        status=Item.Status.KEPT,
        triaged_at=now,
        annotation="Concerne les membres qui démolissent.",
        effective_date=timezone.localdate() + dt.timedelta(days=30),
        obligations="Inventaire amiante avant travaux.",
        search_text="nouvel arrete amiante",
    )
    ItemTopic.objects.create(item=item, topic=private, score=1, origin="rule")
    ItemTopic.objects.create(item=item, topic=public, score=1, origin="rule")
    subscription = Subscription.objects.create(person=member_a.person, topic=private)
    digest = Digest.objects.create(
        person=member_a.person,
        email="anna@alpha.test",
        language="fr",
        period_start=now - dt.timedelta(days=7),
        period_end=now,
        subject="Veille : 1 nouvelle information",
        html="<p>x</p>",
        text="x",
        sent_at=now,
    )
    digest.items.add(item)
    return {
        "private": private,
        "public": public,
        "source": source,
        "item": item,
        "subscription": subscription,
        "digest": digest,
        "token": digests.unsubscribe_token(member_a.person.pk, private.pk),
    }


STAFF_PAGES = [
    ("watch:dashboard", lambda d: []),
    ("watch:source_list", lambda d: []),
    ("watch:source_detail", lambda d: [d["source"].pk]),
    ("watch:item_list", lambda d: []),
    ("watch:item_detail", lambda d: [d["item"].pk]),
    ("watch:topic_list", lambda d: []),
    ("watch:topic_detail", lambda d: [d["private"].pk]),
    ("watch:deadlines", lambda d: []),
]
STAFF_EXPECTED = {"anonymous": 302, "member_a": 403, "member_b": 403, "observer": 403, "staff": 200, "admin": 200}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "args"), STAFF_PAGES, ids=[p[0] for p in STAFF_PAGES])
def test_staff_pages_are_for_staff_only(clients, data, role, name, args):
    response = clients[role].get(reverse(name, args=args(data)))
    assert response.status_code == STAFF_EXPECTED[role]
    if role == "anonymous":
        assert "/accounts/login" in response["Location"]


STAFF_POSTS = [
    ("watch:source_action", lambda d: [d["source"].pk], {"action": "pause"}),
    ("watch:item_status", lambda d: [d["item"].pk], {"status": "discarded"}),
    ("watch:item_topic_mark", lambda d: [d["item"].pk], {"topic": "PRIVATE", "relevant": "no"}),
    ("watch:source_list", lambda d: [], {"url": "https://new.example/feed", "category": "market"}),
    ("watch:topic_list", lambda d: [], {"name": "Hydrogène", "slug": "hydrogene"}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "args", "payload"), STAFF_POSTS, ids=[p[0] for p in STAFF_POSTS])
def test_staff_actions_change_nothing_for_other_roles(clients, data, role, name, args, payload):
    payload = {k: (data["private"].pk if v == "PRIVATE" else v) for k, v in payload.items()}
    payload.update(poll_interval_minutes=360) if name == "watch:source_list" else None
    response = clients[role].post(reverse(name, args=args(data)), payload)
    data["source"].refresh_from_db()
    data["item"].refresh_from_db()
    changed = (
        data["source"].status == Source.Status.PAUSED
        or data["item"].status == Item.Status.DISCARDED
        or ItemTopic.objects.filter(relevant=False).exists()
        or Source.objects.filter(url="https://new.example/feed").exists()
        or Topic.objects.filter(slug="hydrogene").exists()
    )
    if role in ("staff", "admin"):
        assert response.status_code == 302
        assert changed
    else:
        assert response.status_code == (302 if role == "anonymous" else 403)
        assert not changed


PORTAL_EXPECTED = {"anonymous": 302, "member_a": 200, "member_b": 200, "observer": 403, "staff": 403, "admin": 403}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ["watch:portal_subscriptions", "watch:portal_digests"])
def test_portal_pages_are_for_member_users(clients, data, role, name):
    assert clients[role].get(reverse(name)).status_code == PORTAL_EXPECTED[role]


@pytest.mark.parametrize("role", ROLES)
def test_a_digest_is_shown_to_its_recipient_only(clients, data, role):
    response = clients[role].get(reverse("watch:portal_digest", args=[data["digest"].pk]))
    expected = {"member_a": 200, "member_b": 404}.get(role, PORTAL_EXPECTED[role])
    assert response.status_code == expected
    if expected == 200:
        assert "Nouvel arrêté amiante" in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_only_the_subscriber_can_delete_their_subscription(clients, data, role):
    response = clients[role].post(reverse("watch:portal_subscription_delete", args=[data["subscription"].pk]))
    expected = {"member_a": 302, "member_b": 404}.get(role, PORTAL_EXPECTED[role])
    assert response.status_code == expected
    assert Subscription.objects.filter(pk=data["subscription"].pk).exists() == (role != "member_a")


@pytest.mark.parametrize("role", ROLES)
def test_the_unsubscribe_link_works_for_anyone_holding_it_after_confirmation(clients, data, role):
    url = reverse("watch:unsubscribe", args=[data["token"]])
    response = clients[role].get(url)
    assert response.status_code == 200
    assert Subscription.objects.filter(pk=data["subscription"].pk).exists()  # GET changes nothing
    assert clients[role].post(url).status_code == 200
    assert not Subscription.objects.filter(pk=data["subscription"].pk).exists()


def test_one_click_unsubscribe_from_a_mail_client_needs_no_csrf_token(data):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(
        reverse("watch:unsubscribe", args=[data["token"]]), {"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    assert not Subscription.objects.filter(pk=data["subscription"].pk).exists()


def test_a_forged_unsubscribe_token_is_refused(client, data):
    response = client.post(reverse("watch:unsubscribe", args=[data["token"][:-3] + "abc"]))
    assert response.status_code == 400
    assert Subscription.objects.filter(pk=data["subscription"].pk).exists()


@pytest.mark.parametrize("role", ROLES)
def test_public_topic_feeds_are_readable_by_everyone(clients, data, role):
    for kind in ("rss", "atom"):
        response = clients[role].get(reverse("watch:topic_feed", args=["economie-circulaire", kind]))
        assert response.status_code == 200
        assert "Nouvel arrêté amiante" in response.content.decode()
        assert "Concerne les membres qui démolissent." in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_private_topic_feeds_need_a_valid_personal_token(clients, data, role, member_a, member_b, observer_user):
    url = reverse("watch:topic_feed", args=["amiante", "rss"])
    assert clients[role].get(url).status_code == 404
    assert clients[role].get(url + "?token=forged").status_code == 404
    assert clients[role].get(url + "?token=" + digests.feed_token(member_b)).status_code == 200
    assert clients[role].get(url + "?token=" + digests.feed_token(observer_user)).status_code == 404
    member_b.is_active = False
    member_b.save()
    assert clients[role].get(url + "?token=" + digests.feed_token(member_b)).status_code == 404


def test_triage_with_htmx_returns_the_updated_row(staff_client, data):
    data["item"].status = Item.Status.NEW
    data["item"].save()
    response = staff_client.post(
        reverse("watch:item_status", args=[data["item"].pk]), {"status": "kept"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<tr id="item-')
    assert "Remettre à trier" in body
    data["item"].refresh_from_db()
    assert data["item"].status == Item.Status.KEPT and data["item"].triaged_at


def test_marking_a_topic_with_htmx_returns_the_topics_fragment(staff_client, data):
    response = staff_client.post(
        reverse("watch:item_topic_mark", args=[data["item"].pk]),
        {"topic": data["public"].pk, "relevant": "yes"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert 'id="item-topics-' in response.content.decode()
    assert ItemTopic.objects.get(item=data["item"], topic=data["public"]).relevant is True


def test_bad_triage_input_is_a_clear_400_and_changes_nothing(staff_client, data):
    response = staff_client.post(reverse("watch:item_status", args=[data["item"].pk]), {"status": "burn"})
    assert response.status_code == 400
    response = staff_client.post(
        reverse("watch:item_topic_mark", args=[data["item"].pk]), {"topic": "999999", "relevant": "yes"}
    )
    assert response.status_code == 400
    data["item"].refresh_from_db()
    assert data["item"].status == Item.Status.KEPT


def test_annotating_a_regulation_with_unknown_nace_code_names_the_code(staff_client, data):
    response = staff_client.post(
        reverse("watch:item_detail", args=[data["item"].pk]),
        {"annotation": "x", "effective_date": "2026-07-01", "obligations": "y", "nace_codes": "43.110, 99.999"},
    )
    assert response.status_code == 400
    assert "99.999" in response.content.decode()
    data["item"].refresh_from_db()
    assert data["item"].annotation == "Concerne les membres qui démolissent."


def test_annotating_a_regulation_stores_date_obligations_and_codes(staff_client, data):
    response = staff_client.post(
        reverse("watch:item_detail", args=[data["item"].pk]),
        {
            "annotation": "S'applique à tous les membres qui démolissent dès le 1er juillet.",
            "effective_date": "2026-07-01",
            "obligations": "Inventaire amiante",
            "nace_codes": "43.110",
        },
    )
    assert response.status_code == 302
    item = Item.objects.get(pk=data["item"].pk)
    assert item.effective_date == dt.date(2026, 7, 1)
    assert [n.code for n in item.nace_codes.all()] == ["43110"]


def test_obligations_without_a_date_are_refused(staff_client, data):
    response = staff_client.post(
        reverse("watch:item_detail", args=[data["item"].pk]), {"annotation": "x", "obligations": "y"}
    )
    assert response.status_code == 400
    assert "effective_date" in response.context["form"].errors


def test_the_deadline_calendar_lists_upcoming_regulations_by_month(staff_client, data):
    past = Item.objects.create(
        source=data["source"], title="Ancienne règle", dedup_key="k-past", published_at=timezone.now(),
        fetched_at=timezone.now(), effective_date=timezone.localdate() - dt.timedelta(days=3),
    )  # fmt: skip
    body = staff_client.get(reverse("watch:deadlines")).content.decode()
    assert "Nouvel arrêté amiante" in body and "Inventaire amiante avant travaux." in body
    assert past.title not in body


def test_a_topic_rule_with_bad_syntax_is_refused_on_the_page(staff_client, data):
    response = staff_client.post(
        reverse("watch:topic_detail", args=[data["private"].pk]),
        {"action": "add_rule", "rule-expression": "(amiante", "rule-language": "", "rule-weight": "1"},
    )
    assert response.status_code == 400
    assert "Parenthèse non fermée" in response.content.decode()


def test_staff_can_add_a_rule_and_test_an_expression(staff_client, data):
    url = reverse("watch:topic_detail", args=[data["private"].pk])
    response = staff_client.post(
        url, {"action": "add_rule", "rule-expression": "amiante OR asbest", "rule-language": "", "rule-weight": "0.9"}
    )
    assert response.status_code == 302
    assert data["private"].watch_rules.get().weight == 0.9
    response = staff_client.post(
        url, {"action": "test", "test-expression": '"arrêté amiante"', "test-text": "Arrete AMIANTE"}
    )
    assert response.context["test_result"] is True


def test_a_source_with_a_bad_url_is_refused_naming_the_field(staff_client, data):
    response = staff_client.post(
        reverse("watch:source_list"), {"url": "notaurl", "category": "market", "poll_interval_minutes": 360}
    )
    assert response.status_code == 400
    assert "url" in response.context["form"].errors
    response = staff_client.post(
        reverse("watch:source_list"), {"url": data["source"].url, "category": "market", "poll_interval_minutes": 360}
    )
    assert "déjà suivie" in response.content.decode()


def test_member_subscribes_and_sees_suggestions_from_their_organisation(member_a_client, member_a, data, org_a):
    from grappe.ecosystem import services as eco
    from grappe.referential.models import NaceCode

    nace = NaceCode.objects.filter(version="2025", level=5).first()
    eco.activity_set(actor=None, organisation=org_a, codes=[nace.code], main=nace.code)
    data["item"].nace_codes.add(nace)
    response = member_a_client.get(reverse("watch:portal_subscriptions"))
    assert [t.slug for t in response.context["suggestions"]] == ["economie-circulaire"]  # amiante: already subscribed
    response = member_a_client.post(
        reverse("watch:portal_subscriptions"), {"topic": data["public"].pk, "language": "fr", "frequency": "daily"}
    )
    assert response.status_code == 302
    assert Subscription.objects.get(person=member_a.person, topic=data["public"]).frequency == "daily"
    response = member_a_client.post(
        reverse("watch:portal_subscriptions"), {"topic": data["public"].pk, "frequency": "daily"}
    )
    assert response.status_code == 400


def test_list_pages_run_a_bounded_number_of_queries(staff_client, data, django_assert_max_num_queries):
    for i in range(30):
        item = Item.objects.create(
            source=data["source"], title=f"Élément {i}", dedup_key=f"q{i}", published_at=timezone.now(),
            fetched_at=timezone.now(),
        )  # fmt: skip
        ItemTopic.objects.create(item=item, topic=data["private"], score=0.5, origin="rule")
    with django_assert_max_num_queries(20):
        assert staff_client.get(reverse("watch:item_list")).status_code == 200
    with django_assert_max_num_queries(15):
        assert staff_client.get(reverse("watch:source_list")).status_code == 200


def test_services_refuse_duplicate_subscriptions(data, member_a):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.subscription_create(actor=None, person=member_a.person, topic=data["private"])


def test_an_item_marked_irrelevant_for_a_topic_leaves_that_topics_feed_only(client, data):
    ItemTopic.objects.filter(item=data["item"], topic=data["public"]).update(relevant=False)
    body = client.get(reverse("watch:topic_feed", args=["economie-circulaire", "rss"])).content.decode()
    assert "Nouvel arrêté amiante" not in body
    from grappe.watch.selectors import topic_items

    assert list(topic_items(data["private"])) == [data["item"]]
