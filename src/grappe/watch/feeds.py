"""RSS 2.0 and Atom 1.0 feeds of a topic's kept items (django.utils.feedgenerator)."""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import feedgenerator
from django.utils.translation import gettext as _

from grappe.ecosystem.models import Topic
from grappe.watch.cleaning import plain_text
from grappe.watch.selectors import topic_items

FEED_CLASSES = {"rss": feedgenerator.Rss201rev2Feed, "atom": feedgenerator.Atom1Feed}


def topic_feed_response(request: HttpRequest, topic: Topic, kind: str) -> HttpResponse:
    feed_class = FEED_CLASSES.get(kind)
    if feed_class is None:
        raise Http404(_("Format de flux inconnu."))
    site = settings.SITE_URL.rstrip("/")
    feed = feed_class(
        title=_("Veille %(cluster)s : %(topic)s") % {"cluster": settings.GRAPPE_CLUSTER_NAME, "topic": topic.name},
        link=site + "/",
        description=topic.description or topic.name,
        language=request.LANGUAGE_CODE if hasattr(request, "LANGUAGE_CODE") else settings.LANGUAGE_CODE,
        feed_url=site + reverse("watch:topic_feed", args=[topic.slug, kind]),
    )
    for item in topic_items(topic):
        description = item.summary
        if item.annotation:
            # The cluster's reading comes first: it is what members subscribe for. Plain text, escaped.
            note = plain_text(item.annotation).replace("&", "&amp;").replace("<", "&lt;")
            description = f"<p><strong>{_('Pour les membres')} :</strong> {note}</p>{description}"
        feed.add_item(
            title=item.title,
            link=item.link or item.canonical_url or site + "/",
            description=description,
            unique_id=f"grappe-watch-item-{item.pk}",
            unique_id_is_permalink=False,
            pubdate=item.published_at,
            updateddate=item.triaged_at or item.published_at,
            categories=[topic.name],
        )
    response = HttpResponse(content_type=f"{feed.content_type}")
    feed.write(response, "utf-8")
    return response
