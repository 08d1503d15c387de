"""Watch pages: staff (sources, triage queue, topics, deadlines), member portal (subscriptions, digest
archive), public (unsubscribe link, topic feeds). Thin: permissions, forms, then services/selectors."""

import datetime as dt

from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from grappe.accounts import permissions
from grappe.ecosystem.models import Person, Topic
from grappe.watch import digests, selectors, services
from grappe.watch.forms import (
    AnnotateForm,
    RuleTestForm,
    SourceForm,
    SubscriptionForm,
    TopicForm,
    TopicProfileForm,
    TopicRuleForm,
)
from grappe.watch.models import Digest, FetchLog, Item, ItemTopic, Source, Subscription, TopicProfile, TopicRule
from grappe.watch.rules import rule_matches


def _apply_validation_error(form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


# --- staff: dashboard and sources -----------------------------------------------------------------


@permissions.watch_curate_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "watch/dashboard.html",
        {
            "counts": selectors.triage_counts(),
            "attention": selectors.sources_needing_attention().select_related("owner")[:20],
            "deadlines": selectors.upcoming_deadlines(days=120)[:8],
            "source_count": Source.objects.count(),
        },
    )


@permissions.watch_curate_required
def source_list(request: HttpRequest) -> HttpResponse:
    form = SourceForm(request.POST or None, initial={"owner": request.user.pk})
    if request.method == "POST" and form.is_valid():
        try:
            source = services.source_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _apply_validation_error(form, exc)
        else:
            messages.success(request, _("Source ajoutée ; le premier relevé est en file d'attente."))
            return redirect("watch:source_detail", source.pk)
    sources = selectors.source_list()
    category = request.GET.get("category", "")
    if category in Source.Category.values:
        sources = sources.filter(category=category)
    return render(
        request,
        "watch/source_list.html",
        {"sources": sources, "form": form, "categories": Source.Category.choices, "category": category},
        status=400 if request.method == "POST" else 200,
    )


@permissions.watch_curate_required
def source_detail(request: HttpRequest, pk: int) -> HttpResponse:
    source = get_object_or_404(Source.objects.select_related("owner"), pk=pk)
    form = SourceForm(request.POST or None, instance=Source.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.source_update(actor=request.user, source=source, **form.cleaned_data)
        except ValidationError as exc:
            _apply_validation_error(form, exc)
        else:
            messages.success(request, _("Source enregistrée."))
            return redirect("watch:source_detail", source.pk)
    return render(
        request,
        "watch/source_detail.html",
        {
            "source": source,
            "form": form,
            "logs": FetchLog.objects.filter(source=source)[:20],
            "recent_items": Item.objects.filter(source=source).order_by("-fetched_at", "-id")[:10],
            "item_count": Item.objects.filter(source=source).count(),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@permissions.watch_curate_required
def source_action(request: HttpRequest, pk: int) -> HttpResponse:
    source = get_object_or_404(Source, pk=pk)
    action = request.POST.get("action")
    if action == "pause":
        services.source_pause(actor=request.user, source=source)
        messages.success(request, _("Source mise en pause."))
    elif action == "resume":
        services.source_resume(actor=request.user, source=source)
        messages.success(request, _("Relevé réactivé."))
    elif action == "poll":
        services.source_poll_now(actor=request.user, source=source)
        messages.success(request, _("Relevé demandé : il sera fait par le service de tâches."))
    elif action == "delete":
        services.source_delete(actor=request.user, source=source)
        messages.success(request, _("Source supprimée avec ses éléments."))
        return redirect("watch:source_list")
    else:
        return HttpResponseBadRequest(_("Action inconnue."))
    return redirect("watch:source_detail", source.pk)


# --- staff: triage --------------------------------------------------------------------------------


def _queue_filters(request: HttpRequest) -> dict:
    status = request.GET.get("status", Item.Status.NEW)
    topic = request.GET.get("topic", "")
    source = request.GET.get("source", "")
    return {
        "status": status if status in Item.Status.values or status == "" else Item.Status.NEW,
        "topic": int(topic) if topic.isdigit() else None,
        "source": int(source) if source.isdigit() else None,
        "q": request.GET.get("q", "").strip()[:200],
    }


@permissions.watch_curate_required
def item_list(request: HttpRequest) -> HttpResponse:
    filters = _queue_filters(request)
    items = selectors.item_list(
        status=filters["status"] or None, topic=filters["topic"], source=filters["source"], text=filters["q"]
    )
    page = Paginator(items, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "watch/item_list.html",
        {
            "page": page,
            "filters": filters,
            "statuses": Item.Status.choices,
            "topics": Topic.objects.order_by("name"),
            "counts": selectors.triage_counts(),
        },
    )


def _item_with_topics(pk: int) -> Item:
    return get_object_or_404(
        Item.objects.select_related("source").prefetch_related(
            Prefetch("item_topics", queryset=ItemTopic.objects.select_related("topic").order_by("-score"))
        ),
        pk=pk,
    )


@require_POST
@permissions.watch_curate_required
def item_status(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Item, pk=pk)
    status = request.POST.get("status", "")
    if status not in Item.Status.values:
        return HttpResponseBadRequest(_("Statut inconnu."))
    services.item_set_status(actor=request.user, item=item, status=status)
    if request.htmx:
        return render(request, "watch/_item_row.html", {"item": _item_with_topics(pk), "topics": Topic.objects.all()})
    return redirect(request.POST.get("next") or reverse("watch:item_list"))


@require_POST
@permissions.watch_curate_required
def item_topic_mark(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Item, pk=pk)
    topic_id = request.POST.get("topic", "")
    topic = Topic.objects.filter(pk=int(topic_id)).first() if topic_id.isdigit() else None
    relevant = {"yes": True, "no": False, "clear": None}.get(request.POST.get("relevant", ""), "invalid")
    if topic is None or relevant == "invalid":
        return HttpResponseBadRequest(_("Thématique ou marque invalide."))
    services.item_mark_topic(actor=request.user, item=item, topic=topic, relevant=relevant)
    if request.htmx:
        return render(
            request, "watch/_item_topics.html", {"item": _item_with_topics(pk), "topics": Topic.objects.all()}
        )
    return redirect(request.POST.get("next") or reverse("watch:item_detail", args=[pk]))


@permissions.watch_curate_required
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item_with_topics(pk)
    initial = {
        "annotation": item.annotation,
        "effective_date": item.effective_date,
        "obligations": item.obligations,
        "nace_codes": item.nace_codes.all(),
        "segments": item.segments.all(),
        "affected_segments": item.affected_segments.all(),
    }
    form = AnnotateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.item_annotate(actor=request.user, item=item, **form.cleaned_data)
        messages.success(request, _("Annotation enregistrée."))
        return redirect("watch:item_detail", item.pk)
    duplicates = (
        Item.objects.filter(duplicate_group=item.duplicate_group).exclude(pk=item.pk).select_related("source")
        if item.duplicate_group
        else Item.objects.none()
    )
    return render(
        request,
        "watch/item_detail.html",
        {"item": item, "form": form, "topics": Topic.objects.all(), "duplicates": duplicates},
        status=400 if request.method == "POST" else 200,
    )


@permissions.watch_curate_required
def deadlines(request: HttpRequest) -> HttpResponse:
    days = request.GET.get("days", "365")
    days_value = int(days) if days.isdigit() and 0 < int(days) <= 3650 else 365
    items = list(selectors.upcoming_deadlines(days=days_value))
    months: dict[dt.date, list[Item]] = {}
    for item in items:
        months.setdefault(item.effective_date.replace(day=1), []).append(item)
    return render(request, "watch/deadlines.html", {"months": months, "days": days_value, "count": len(items)})


@permissions.watch_reader_required
def agenda(request: HttpRequest) -> HttpResponse:
    """Ecosystem agenda: events of partners' calendars. Staff: every event not discarded (to triage);
    member users: the events staff kept."""
    staff = permissions.can_curate_watch(request.user)
    days = request.GET.get("days", "180")
    days_value = int(days) if days.isdigit() and 0 < int(days) <= 730 else 180
    months: dict[dt.date, list[Item]] = {}
    for item in selectors.upcoming_events(staff=staff, days=days_value)[:500]:
        start = timezone.localtime(item.event_start).date()
        months.setdefault(start.replace(day=1), []).append(item)
    return render(request, "watch/agenda.html", {"months": months, "days": days_value, "staff": staff})


# --- staff: topics --------------------------------------------------------------------------------


@permissions.watch_curate_required
def topic_list(request: HttpRequest) -> HttpResponse:
    form = TopicForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        topic = services.topic_create(actor=request.user, **form.cleaned_data)
        messages.success(request, _("Thématique créée ; ajoutez-lui des règles."))
        return redirect("watch:topic_detail", topic.pk)
    topics = Topic.objects.annotate(
        rule_count=Count("watch_rules", distinct=True),
        subscriber_count=Count("watch_subscriptions", distinct=True),
        kept_count=Count(
            "watch_item_topics", filter=Q(watch_item_topics__item__status=Item.Status.KEPT), distinct=True
        ),
    ).select_related("watch_profile")
    return render(
        request,
        "watch/topic_list.html",
        {"topics": topics, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@permissions.watch_curate_required
def topic_detail(request: HttpRequest, pk: int) -> HttpResponse:
    topic = get_object_or_404(Topic, pk=pk)
    profile, _created = TopicProfile.objects.get_or_create(topic=topic)
    rule_form = TopicRuleForm(prefix="rule")
    profile_form = TopicProfileForm(
        prefix="profile",
        initial={"public_feed": profile.public_feed, "suggestion_threshold": profile.suggestion_threshold},
    )
    test_form = RuleTestForm(prefix="test")
    test_result = None
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "add_rule":
            rule_form = TopicRuleForm(request.POST, prefix="rule")
            if rule_form.is_valid():
                services.topic_rule_create(actor=request.user, topic=topic, **rule_form.cleaned_data)
                messages.success(request, _("Règle ajoutée ; elle s'applique aux prochains éléments."))
                return redirect("watch:topic_detail", topic.pk)
        elif action in ("delete_rule", "toggle_rule"):
            rule = get_object_or_404(TopicRule, pk=request.POST.get("rule", "0") or 0, topic=topic)
            if action == "delete_rule":
                services.topic_rule_delete(actor=request.user, rule=rule)
            else:
                services.topic_rule_update(actor=request.user, rule=rule, is_active=not rule.is_active)
            return redirect("watch:topic_detail", topic.pk)
        elif action == "profile":
            profile_form = TopicProfileForm(request.POST, prefix="profile")
            if profile_form.is_valid():
                services.topic_profile_update(actor=request.user, topic=topic, **profile_form.cleaned_data)
                messages.success(request, _("Réglages enregistrés."))
                return redirect("watch:topic_detail", topic.pk)
        elif action == "test":
            test_form = RuleTestForm(request.POST, prefix="test")
            if test_form.is_valid():
                test_result = rule_matches(test_form.cleaned_data["expression"], test_form.cleaned_data["text"])
        elif action == "retag":
            count = services.retag_items()
            messages.success(request, _("%(n)d étiquette(s) posée(s) sur les éléments à trier.") % {"n": count})
            return redirect("watch:topic_detail", topic.pk)
        else:
            return HttpResponseBadRequest(_("Action inconnue."))
        status = 400 if test_result is None else 200
    marks = ItemTopic.objects.filter(topic=topic, relevant__isnull=False).aggregate(
        yes=Count("pk", filter=Q(relevant=True)), no=Count("pk", filter=Q(relevant=False))
    )
    return render(
        request,
        "watch/topic_detail.html",
        {
            "topic": topic,
            "profile": profile,
            "rules": topic.watch_rules.all(),
            "rule_form": rule_form,
            "profile_form": profile_form,
            "test_form": test_form,
            "test_result": test_result,
            "marks": marks,
            "feed_token": digests.feed_token(request.user),
            "recent": selectors.topic_items(topic, limit=10),
        },
        status=status,
    )


# --- member portal --------------------------------------------------------------------------------


@permissions.watch_subscriber_required
def portal_subscriptions(request: HttpRequest) -> HttpResponse:
    person = get_object_or_404(Person, pk=request.user.person_id)
    form = SubscriptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.subscription_create(actor=request.user, person=person, **form.cleaned_data)
        except ValidationError as exc:
            _apply_validation_error(form, exc)
        else:
            messages.success(request, _("Abonnement enregistré."))
            return redirect("watch:portal_subscriptions")
    consent = digests.has_digest_consent(person)
    return render(
        request,
        "watch/portal_subscriptions.html",
        {
            "person": person,
            "subscriptions": selectors.person_subscriptions(person),
            "suggestions": selectors.suggested_topics(person)[:6],
            "form": form,
            "consent": consent,
            "feed_token": digests.feed_token(request.user),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@permissions.watch_subscriber_required
def portal_subscription_delete(request: HttpRequest, pk: int) -> HttpResponse:
    # Another person's subscription is "not found", never "forbidden": ids do not leak.
    subscription = get_object_or_404(Subscription, pk=pk, person_id=request.user.person_id)
    services.subscription_delete(actor=request.user, subscription=subscription)
    messages.success(request, _("Désabonnement enregistré."))
    return redirect("watch:portal_subscriptions")


@permissions.watch_subscriber_required
def portal_digests(request: HttpRequest) -> HttpResponse:
    person = get_object_or_404(Person, pk=request.user.person_id)
    page = Paginator(selectors.person_digests(person).annotate(item_count=Count("items")), 20).get_page(
        request.GET.get("page")
    )
    return render(request, "watch/portal_digests.html", {"page": page})


@permissions.watch_subscriber_required
def portal_digest(request: HttpRequest, pk: int) -> HttpResponse:
    digest = get_object_or_404(Digest, pk=pk, person_id=request.user.person_id, status=Digest.Status.SENT)
    items = digest.items.select_related("source").order_by("-effective_date", "-triaged_at")
    return render(request, "watch/portal_digest.html", {"digest": digest, "items": items})


# --- public: unsubscribe link and topic feeds -----------------------------------------------------


@csrf_exempt  # the signed token is the credential; mail clients' one-click POST (RFC 8058) carries no CSRF token
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The link of every digest: GET asks to confirm (mail scanners follow links), POST unsubscribes."""
    try:
        person_id, topic_id = digests.read_unsubscribe_token(token)
    except signing.BadSignature:
        return render(request, "watch/unsubscribe.html", {"invalid": True}, status=400)
    topic = Topic.objects.filter(pk=topic_id).first() if topic_id else None
    if request.method == "POST":
        removed = digests.unsubscribe(person_id=person_id, topic_id=topic_id)
        return render(request, "watch/unsubscribe.html", {"done": True, "removed": removed, "topic": topic})
    exists = Subscription.objects.filter(person_id=person_id, **({"topic_id": topic_id} if topic_id else {})).exists()
    return render(request, "watch/unsubscribe.html", {"topic": topic, "exists": exists})


def topic_feed(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    from grappe.watch.feeds import topic_feed_response

    topic = get_object_or_404(Topic.objects.select_related("watch_profile"), slug=slug)
    profile = getattr(topic, "watch_profile", None)
    if not (profile and profile.public_feed):
        user = digests.feed_token_user(request.GET.get("token", ""))
        if user is None or not permissions.can_read_private_topic_feed(user):
            raise Http404(_("Flux introuvable."))
    return topic_feed_response(request, topic, kind)


# --- organisation page panel ----------------------------------------------------------------------


def organisation_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """The watch panel of an organisation page (htmx fragment): items that concern it and its upcoming
    regulatory deadlines. ORG-VIEW: staff (items in triage too) and the organisation's member users
    (kept items only); anyone else 403."""
    from grappe.ecosystem.models import Organisation

    if not request.user.is_authenticated:
        raise PermissionDenied
    organisation = get_object_or_404(Organisation, pk=pk)
    if not permissions.can_view_watch_organisation_panel(request.user, organisation):
        raise PermissionDenied
    staff = permissions.can_curate_watch(request.user)
    items = selectors.organisation_items(organisation.pk, staff=staff)
    today = dt.date.today()
    return render(
        request,
        "watch/_organisation_panel.html",
        {
            "org": organisation,
            "staff": staff,
            "items": items[:10],
            "count": items.count(),
            "deadlines": items.filter(effective_date__gte=today).order_by("effective_date")[:5],
        },
    )
