"""The innovation demo loader on a small hand-built ecosystem: projects, documents, calls from watch items."""

import io

from grappe.innovation.demo import load
from grappe.innovation.models import FundingCall, InnovationProject, ProjectDocument, StoryDraft

from .test_calls_from_watch import make_item


def test_the_demo_loads_projects_with_documents_and_calls_from_watch_items(
    staff_user, org_a, org_b, research_centre, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    item = make_item("Appel à projets déconstruction et réemploi", "demo-appel", search_text="appel a projets")
    make_item("Le prix des matériaux se stabilise", "demo-prix")
    out = io.StringIO()
    load(out)
    assert InnovationProject.objects.count() == 35
    call = FundingCall.objects.get(watch_item=item)
    assert call.closes_on > call.opens_on and call.level == "regional"
    shaped = InnovationProject.objects.exclude(stage__in=["idea", "emergence"]).exclude(stage="abandoned")
    assert shaped.exists() and all(p.documents.count() == 2 for p in shaped)
    document = ProjectDocument.objects.filter(title="Budget prévisionnel").first()
    assert document.file.read().decode().startswith("poste;montant (EUR)")
    assert "documents" in out.getvalue() and "+1 from watch items" in out.getvalue()
    # One-click success stories of valorised projects, never of staff-only ones.
    drafts = StoryDraft.objects.select_related("project")
    assert drafts.exists() and all(d.project.confidentiality == "consortium" for d in drafts)
    assert all(
        d.project.stage in ("valorisation", "closed") and d.project.lead_organisation.name in d.body for d in drafts
    )
    load(io.StringIO())  # a second run adds nothing
    assert InnovationProject.objects.count() == 35
