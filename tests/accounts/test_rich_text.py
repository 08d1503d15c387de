"""Rich text is sanitised on the way out too: a watch item stored with a script (an old row, an import, the
admin) reaches staff without it."""

from django.urls import reverse
from django.utils import timezone

from grappe.accounts.html import clean_html

EVIL = (
    '<p onclick="steal()">Bonjour <script>alert(1)</script><a href="javascript:alert(2)">lien</a></p><iframe src="x">'
)


def test_clean_html_keeps_text_and_drops_scripts_handlers_frames_and_javascript_links():
    cleaned = clean_html(EVIL)
    assert "Bonjour" in cleaned and "lien" in cleaned
    for bad in ("<script", "onclick", "javascript:", "<iframe"):
        assert bad not in cleaned


def test_a_watch_item_stored_with_a_script_is_shown_without_it(staff_client):
    from grappe.watch.models import Item, Source

    source = Source.objects.create(url="https://example.org/feed.xml", title="Source")
    now = timezone.now()
    item = Item.objects.create(
        source=source, dedup_key="evil", title="Article", summary=EVIL, content=EVIL, published_at=now, fetched_at=now
    )
    body = staff_client.get(reverse("watch:item_detail", args=[item.pk])).content.decode()
    assert "Bonjour" in body
    assert "alert(1)" not in body and "javascript:alert" not in body and 'onclick="steal' not in body
