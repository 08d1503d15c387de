"""More public pages: competences, events, news and stories (with feeds), opportunities, widget, DCAT-AP."""

from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

from grappe.showcase import opendata, selectors
from grappe.showcase.models import Post
from grappe.showcase.views import json_ld

POST_KINDS = {"news": Post.Kind.NEWS, "stories": Post.Kind.STORY}


def _language() -> str:
    return (get_language() or "fr")[:2]


@require_GET
def competences(request: HttpRequest) -> HttpResponse:
    return render(request, "showcase/competences.html", {"rows": selectors.competences_with_members()})


def event_structured_data(event: Any, request: HttpRequest) -> dict[str, Any]:
    """schema.org ``Event`` of a public event (the events page's graph and each event's own page)."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "startDate": timezone.localtime(event.start).isoformat(),
        "endDate": timezone.localtime(event.end).isoformat(),
        "url": request.build_absolute_uri(reverse("events:event_public", args=[event.slug])),
        "eventStatus": "https://schema.org/EventCancelled"
        if event.status == event.Status.CANCELLED
        else "https://schema.org/EventScheduled",
        "organizer": {"@type": "Organization", "name": settings.GRAPPE_CLUSTER_NAME},
    }
    if event.online_url and not event.venue_address:
        data["eventAttendanceMode"] = "https://schema.org/OnlineEventAttendanceMode"
        data["location"] = {"@type": "VirtualLocation", "url": event.online_url}
    elif event.venue_name or event.venue_address:
        address: dict[str, Any] = {"@type": "PostalAddress", "addressCountry": "BE"}
        if event.venue_address:
            address["streetAddress"] = event.venue_address
        if event.venue_postal_code_id:
            address["postalCode"] = event.venue_postal_code.code
        data["eventAttendanceMode"] = "https://schema.org/OfflineEventAttendanceMode"
        data["location"] = {"@type": "Place", "name": event.venue_name or event.venue_address, "address": address}
    return data


@require_GET
def events(request: HttpRequest) -> HttpResponse:
    items = list(selectors.public_event_list()[:100])
    structured = [event_structured_data(event, request) for event in items]
    return render(
        request,
        "showcase/events.html",
        {"events": items, "json_ld": json_ld({"@context": "https://schema.org", "@graph": structured})},
    )


def _post_card(post: Post, language: str) -> dict[str, Any]:
    title, title_lang = post.in_language("title", language)
    lead, lead_lang = post.in_language("lead", language)
    return {"post": post, "title": title, "title_lang": title_lang, "lead": lead, "lead_lang": lead_lang}


@require_GET
def post_list(request: HttpRequest, section: str) -> HttpResponse:
    kind = POST_KINDS[section]
    posts = [_post_card(p, _language()) for p in selectors.public_posts(kind)[:50]]
    return render(request, "showcase/post_list.html", {"section": section, "kind": kind, "posts": posts})


@require_GET
def post_detail(request: HttpRequest, section: str, slug: str) -> HttpResponse:
    try:
        post = selectors.public_post(POST_KINDS[section], slug)
    except Post.DoesNotExist as exc:
        raise Http404(_("Aucun article à cette adresse.")) from exc
    language = _language()
    card = _post_card(post, language)
    body, body_lang = post.in_language("body", language)
    url = request.build_absolute_uri(reverse(f"showcase:{section}_detail", args=[post.slug]))
    structured = {
        "@context": "https://schema.org",
        "@type": "NewsArticle" if post.kind == Post.Kind.NEWS else "Article",
        "headline": card["title"],
        "datePublished": post.published_at.isoformat() if post.published_at else "",
        "dateModified": post.updated_at.isoformat(),
        "inLanguage": body_lang,
        "url": url,
        "publisher": {"@type": "Organization", "name": settings.GRAPPE_CLUSTER_NAME},
    }
    image_url = request.build_absolute_uri(post.image.url) if post.image else ""
    if image_url:
        structured["image"] = image_url
    return render(
        request,
        "showcase/post_detail.html",
        {
            **card,
            "section": section,
            "paragraphs": [p.strip() for p in body.split("\n\n") if p.strip()],
            "body_lang": body_lang,
            "is_fallback": card["title_lang"] != language,
            "organisations": selectors.featured_organisations(post.organisations.all()),
            "canonical_url": url,
            "image_url": image_url,
            "json_ld": json_ld(structured),
        },
    )


@require_GET
def opportunities(request: HttpRequest) -> HttpResponse:
    items = list(selectors.public_opportunities()[:100])
    public_ids = {o.pk for o in selectors.featured_organisations([i.organisation for i in items if i.organisation])}
    return render(request, "showcase/opportunities.html", {"items": items, "public_ids": public_ids})


# --- Feeds: RSS 2.0 and Atom per language ---------------------------------------------------------


class PostFeed(Feed):
    """News or stories in the language of the URL prefix (RSS 2.0; ``AtomPostFeed`` for Atom)."""

    feed_type = Rss201rev2Feed

    def get_object(self, request: HttpRequest, section: str) -> str:
        if section not in POST_KINDS:
            raise Http404
        return section

    def title(self, section: str) -> str:
        label = _("Actualités") if section == "news" else _("Récits de réussite")
        return f"{settings.GRAPPE_CLUSTER_NAME} — {label}"

    def link(self, section: str) -> str:
        return reverse(f"showcase:{section}")

    def description(self, section: str) -> str:
        return self.title(section)

    def items(self, section: str):
        return selectors.public_posts(POST_KINDS[section])[:30]

    def item_title(self, item: Post) -> str:
        return item.in_language("title", _language())[0]

    def item_description(self, item: Post) -> str:
        return item.in_language("lead", _language())[0] or item.in_language("body", _language())[0][:500]

    def item_link(self, item: Post) -> str:
        section = "news" if item.kind == Post.Kind.NEWS else "stories"
        return reverse(f"showcase:{section}_detail", args=[item.slug])

    def item_pubdate(self, item: Post):
        return item.published_at

    def item_updateddate(self, item: Post):
        return item.updated_at


class AtomPostFeed(PostFeed):
    feed_type = Atom1Feed
    subtitle = PostFeed.description


class OpportunityFeed(Feed):
    feed_type = Rss201rev2Feed

    def title(self) -> str:
        return f"{settings.GRAPPE_CLUSTER_NAME} — {_('Opportunités')}"

    def link(self) -> str:
        return reverse("showcase:opportunities")

    def description(self) -> str:
        return self.title()

    def items(self):
        return selectors.public_opportunities()[:50]

    def item_title(self, item) -> str:
        return f"{item.get_kind_display()} — {item.title}"

    def item_description(self, item) -> str:
        return item.description[:1000]

    def item_link(self, item) -> str:
        return reverse("showcase:opportunities") + f"#opportunity-{item.pk}"

    def item_pubdate(self, item):
        return item.published_at


# --- Embeddable widget and DCAT-AP -----------------------------------------------------------------


@require_GET
@xframe_options_exempt
def widget(request: HttpRequest) -> HttpResponse:
    """A compact members list for partners' sites (``<iframe>``), optionally one value chain."""
    params = {"value_chain": request.GET.get("value_chain", "")}
    result = selectors.directory_search(params, page_size=200)
    response = render(
        request,
        "showcase/widget.html",
        {"organisations": result.page.object_list, "total": result.total, "notices": result.notices},
    )
    response["Content-Security-Policy"] = "frame-ancestors *"
    return response


@require_GET
def widget_help(request: HttpRequest) -> HttpResponse:
    src = request.build_absolute_uri(reverse("showcase:widget"))
    return render(
        request,
        "showcase/widget_help.html",
        {
            "snippet": f'<iframe src="{src}" title="{settings.GRAPPE_CLUSTER_NAME}" width="100%" height="480" '
            'loading="lazy" style="border:0"></iframe>',
            "chains": selectors.value_chains_with_segments(),
        },
    )


@require_GET
def dcat_catalog(request: HttpRequest) -> JsonResponse:
    """DCAT-AP description of the open-data catalogue (JSON-LD)."""
    base = request.build_absolute_uri("/").rstrip("/")
    count = selectors.public_organisations().count()
    return JsonResponse(
        opendata.dcat_catalog(base, count=count, modified=timezone.localdate()),
        content_type="application/ld+json",
        json_dumps_params={"ensure_ascii": False, "indent": 1},
    )
