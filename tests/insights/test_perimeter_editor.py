import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from grappe.core.models import AuditEntry
from grappe.ecosystem import services
from grappe.ecosystem.models import Organisation, ValueChain
from grappe.insights import perimeter_editor
from grappe.referential.models import NaceCode

from .factories import enterprise, segment

ROLES = ["client", "member_a_client", "member_b_client", "observer_client", "staff_client", "admin_client_"]
READERS = {"observer_client", "staff_client", "admin_client_"}
EDITORS = {"staff_client", "admin_client_"}


@pytest.fixture
def chain(db):
    chain = ValueChain.objects.create(name="Bâtiment", slug="batiment")
    demolition = segment(chain, "demolition", [("2025", "431")])
    for n in range(1, 4):
        enterprise(n, ["43110"])
    enterprise(4, ["43120"], secondary=["71110"])
    enterprise(5, ["71110"])
    org = services.organisation_create(actor=None, name="Démolisseurs", kind=Organisation.Kind.COMPANY)
    services.activity_set(actor=None, organisation=org, codes=["43.110"], main="43.110")
    return {"chain": chain, "demolition": demolition}


def _nace(version: str, code: str) -> NaceCode:
    return NaceCode.objects.get(version=version, code=code)


def test_search_by_code_prefix_and_by_accentless_words(db):
    codes = [r.code for r in perimeter_editor.nace_search("43.1", version="2025")]
    assert codes[0] == "431" and "43110" in codes
    with translation.override("fr"):
        rows = perimeter_editor.nace_search("demolition", version="2025")
    assert any(r.code == "4311" and "émolition" in r.label for r in rows)


def test_search_shows_labels_in_the_user_language(db):
    with translation.override("nl"):
        row = perimeter_editor.nace_search("4311", version="2025")[0]
    assert row.label == _nace("2025", "4311").label_nl


def test_counts_are_register_main_activities_and_ecosystem_organisations(chain):
    rows = perimeter_editor.code_counts(perimeter_editor.nace_search("431", version="2025")[:1])
    assert rows[0].code == "431"
    assert rows[0].enterprises == 4  # 1-3 (43.110) and 4 (43.120); the secondary 71.11 of 4 does not count
    assert rows[0].organisations == 1
    architecture = perimeter_editor.code_counts(perimeter_editor.nace_search("7111", version="2025")[:1])[0]
    assert architecture.enterprises == 1  # only enterprise 5 (main), not 4 (secondary)


def test_a_section_counts_all_its_divisions(chain):
    section = perimeter_editor.code_counts([perimeter_editor.code_row(_nace("2025", "F"))])[0]
    assert section.enterprises == 4


def test_setting_codes_replaces_them_and_is_audited(chain, staff_user):
    seg = chain["demolition"]
    ids = [_nace("2025", "4311").pk, _nace("2008", "4312").pk]
    perimeter_editor.segment_codes_set(actor=staff_user, segment=seg, code_ids=[str(i) for i in ids])
    assert sorted(seg.nace_codes.values_list("pk", flat=True)) == sorted(ids)
    entry = AuditEntry.objects.get(action="insights.perimeter.updated")
    assert entry.changes["nace_codes"] == [["2025:43.1"], ["2008:43.12", "2025:43.11"]]


@pytest.mark.parametrize(
    "ids, message",
    [
        (["abc"], "invalides"),
        (["999999999"], "inconnus"),
        ([str(i) for i in range(1, 300)], "Au plus 200"),
    ],
)
def test_bad_codes_are_refused_and_change_nothing(chain, staff_user, ids, message):
    seg = chain["demolition"]
    with pytest.raises(ValidationError) as error:
        perimeter_editor.segment_codes_set(actor=staff_user, segment=seg, code_ids=ids)
    assert message in " ".join(error.value.messages)
    assert [n.code for n in seg.nace_codes.all()] == ["431"]
    assert not AuditEntry.objects.filter(action="insights.perimeter.updated").exists()


def test_national_subcodes_are_refused(chain, staff_user):
    national = NaceCode.objects.filter(level=NaceCode.Level.NATIONAL).first()
    if national is None:
        pytest.skip("no national sub-code in the reference data")
    with pytest.raises(ValidationError, match="trop fins"):
        perimeter_editor.segment_codes_set(actor=staff_user, segment=chain["demolition"], code_ids=[national.pk])


def test_redundant_codes_are_reported(db):
    pairs = perimeter_editor.redundant_codes([_nace("2025", "43"), _nace("2025", "4311"), _nace("2008", "4311")])
    assert [(a.code, b.code) for a, b in pairs] == [("4311", "43")]


@pytest.mark.parametrize("role", ROLES)
def test_perimeter_page_is_for_insights_readers(role, request, chain):
    response = request.getfixturevalue(role).get(reverse("insights:perimeter"))
    expected = 302 if role == "client" else 200 if role in READERS else 403
    assert response.status_code == expected
    if expected == 200:
        body = response.content.decode()
        assert "43.1" in body and "Demolition" in body
        assert ("Modifier les codes NACE" in body) == (role in EDITORS)


@pytest.mark.parametrize("role", ROLES)
def test_segment_editor_and_search_are_for_staff(role, request, chain):
    client = request.getfixturevalue(role)
    seg = chain["demolition"]
    expected = 302 if role == "client" else 200 if role in EDITORS else 403
    assert client.get(reverse("insights:perimeter_segment", args=[seg.pk])).status_code == expected
    search = client.get(reverse("insights:perimeter_search"), {"q": "7111"}, HTTP_HX_REQUEST="true")
    assert search.status_code == expected
    before = list(seg.nace_codes.values_list("pk", flat=True))
    post = client.post(reverse("insights:perimeter_segment", args=[seg.pk]), {"codes": [_nace("2025", "7111").pk]})
    assert post.status_code == (302 if role in EDITORS or role == "client" else 403)
    after = list(seg.nace_codes.values_list("pk", flat=True))
    assert (after != before) == (role in EDITORS)


def test_search_partial_lists_codes_with_labels_and_counts(staff_client, chain):
    response = staff_client.get(reverse("insights:perimeter_search"), {"q": "43.11", "version": "2025"})
    body = response.content.decode()
    assert 'name="codes"' in body and "43.11" in body
    assert "<td>3</td>" in body  # three register enterprises under 43.11 (main activity)


def test_staff_saves_a_segment_from_the_editor(staff_client, chain):
    seg = chain["demolition"]
    keep, add = _nace("2025", "431").pk, _nace("2025", "4311").pk
    response = staff_client.post(
        reverse("insights:perimeter_segment", args=[seg.pk]), {"codes": [keep, add]}, follow=True
    )
    body = response.content.decode()
    assert "enregistré" in body
    assert "déjà couverts" in body  # 43.11 is inside 43.1
    assert set(seg.nace_codes.values_list("pk", flat=True)) == {keep, add}


def test_editor_shows_errors_and_keeps_the_codes(staff_client, chain):
    seg = chain["demolition"]
    picked = _nace("2025", "7111").pk
    response = staff_client.post(reverse("insights:perimeter_segment", args=[seg.pk]), {"codes": ["x1", picked]})
    assert response.status_code == 200
    body = response.content.decode()
    assert "invalides" in body
    assert f'value="{picked}" id="nace-keep-{picked}" checked' in body  # the valid pick stays ticked
    assert [n.code for n in seg.nace_codes.all()] == ["431"]


def test_unknown_segment_is_not_found(staff_client, db):
    assert staff_client.get(reverse("insights:perimeter_segment", args=[999999])).status_code == 404


def test_editor_without_js_searches_with_a_get(staff_client, chain):
    seg = chain["demolition"]
    response = staff_client.get(reverse("insights:perimeter_segment", args=[seg.pk]), {"q": "architecture"})
    assert "71.11" in response.content.decode()


@pytest.mark.parametrize("role", ["observer_client", "staff_client"])
def test_perimeter_page_lists_each_segment_competences(role, request, chain):
    from grappe.ecosystem.models import Competence

    chain["demolition"].competences.set(
        [
            Competence.objects.create(name="Désamiantage", slug="desamiantage"),
            Competence.objects.create(name="curage sélectif", slug="curage"),
        ]
    )
    body = request.getfixturevalue(role).get(reverse("insights:perimeter")).content.decode()
    assert "Compétences du segment : curage sélectif, Désamiantage" in body
    edit = reverse("ecosystem:taxonomy_edit", args=["segment", chain["demolition"].pk])
    assert (edit in body) == (role == "staff_client")


def test_a_segment_with_codes_of_every_level_and_both_versions_defines_the_universe(chain, staff_user):
    """Section F (2025), group 43.1 (2025), class 71.11 (2008), subclass 43.120 (2025): the union, main activities."""
    from grappe.insights.perimeter import load_perimeter
    from grappe.insights.representativeness import universe_stats

    from .factories import enterprise

    enterprise(6, ["71110"], version=2008)
    enterprise(7, ["41000"])  # division 41, in section F only
    seg = chain["demolition"]
    ids = [_nace("2025", "431").pk, _nace("2008", "7111").pk, _nace("2025", "43120").pk]
    perimeter_editor.segment_codes_set(actor=staff_user, segment=seg, code_ids=ids)
    perimeter = load_perimeter()
    assert set(perimeter.segments[0].prefixes) == {(2025, "431"), (2008, "7111")}  # 43.120 is inside 43.1
    assert universe_stats(perimeter, dt.date(2025, 6, 30)).total == 5  # 1-4 (43.1) and 6 (2008 71.11)
    perimeter_editor.segment_codes_set(actor=staff_user, segment=seg, code_ids=[_nace("2025", "F").pk])
    assert universe_stats(load_perimeter(), dt.date(2025, 6, 30)).total == 5  # 1-4 and 7; not 5 (71.11)
