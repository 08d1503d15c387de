"""The showcase demo loader fills every public page."""

import io

from grappe.showcase import demo
from grappe.showcase.models import CommunicationAction, Opportunity, Post


def test_demo_loader_fills_the_public_pages(client, directory, staff_user):
    out = io.StringIO()
    demo.load(out)
    assert "showcase:" in out.getvalue()
    assert Post.objects.filter(status="published").count() >= 6
    assert Opportunity.objects.filter(status="published").count() == 5
    assert CommunicationAction.objects.exists()
    for path in ("news/", "stories/", "opportunities/", "competences/"):
        html = client.get(f"/en/{path}").content.decode()
        assert 'class="card"' in html, path
    demo.load(io.StringIO())  # a second load replaces, never duplicates
    assert Post.objects.filter(slug="label-bas-carbone").count() == 1
