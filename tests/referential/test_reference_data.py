"""The reference data shipped in the package is loaded completely and correctly."""

import pytest

from grappe.referential import loaders, selectors
from grappe.referential.models import KboCode, Municipality, NaceCode, PostalCode, Province, Region

pytestmark = pytest.mark.django_db


def test_nace_2025_has_every_level_of_the_official_list():
    counts = {level: NaceCode.objects.filter(version="2025", level=level).count() for level in range(1, 6)}
    assert counts == {1: 22, 2: 87, 3: 287, 4: 651, 5: 977}


def test_nace_2008_skips_the_pseudo_header_rows_and_pads_codes():
    counts = {level: NaceCode.objects.filter(version="2008", level=level).count() for level in range(1, 6)}
    assert counts == {1: 21, 2: 88, 3: 272, 4: 615, 5: 943}
    assert NaceCode.objects.get(version="2008", code="01110").dotted == "01.110"


def test_nace_hierarchy_links_subclass_to_section():
    subclass = NaceCode.objects.get(version="2025", code="43110")
    chain = selectors.nace_ancestors(subclass)
    assert [c.code for c in chain] == ["F", "43", "431", "4311", "43110"]
    assert subclass.section == "F"
    assert NaceCode.objects.get(version="2008", code="62010").section == "J"


def test_nace_labels_exist_in_four_languages_for_2025():
    division = NaceCode.objects.get(version="2025", code="43")
    assert division.label_fr and division.label_nl and division.label_de and division.label_en
    assert division.label_in("nl") == division.label_nl


def test_national_seven_digit_subcodes_come_from_the_kbo_code_table():
    sub = NaceCode.objects.get(version="2025", code="4311001")
    assert sub.level == NaceCode.Level.NATIONAL
    assert sub.parent.code == "43110"
    assert sub.label_fr == "Démolition d'immeubles et autres constructions"
    assert sub.dotted == "43.110.01"


def test_every_non_top_nace_code_has_a_parent():
    orphans = NaceCode.objects.filter(parent__isnull=True).exclude(level=1)
    assert list(orphans.values_list("version", "code")) == []


def test_postal_code_resolves_to_municipality_province_and_region():
    place = selectors.postal_code_lookup("5000")
    assert place is not None
    assert place.municipality == "Namur"
    assert place.province == "Province de Namur"
    assert place.region == "Région wallonne"
    assert place.latitude and place.longitude


def test_brussels_postal_code_has_no_province():
    place = selectors.postal_code_lookup("1000")
    assert place.province is None
    assert place.region_nis == "04000"


def test_unknown_postal_code_gives_none():
    assert selectors.postal_code_lookup("9999") is None
    assert selectors.postal_code_lookup("") is None


def test_territory_counts_match_the_2025_mergers():
    assert Region.objects.count() == 3
    assert Province.objects.count() == 10
    assert Municipality.objects.count() == 564
    assert PostalCode.objects.count() == 1149
    walloon = PostalCode.objects.filter(municipality__region__nis="03000").count()
    assert walloon == 606


def test_walloon_postal_code_ranges():
    assert loaders.is_walloon_postal_code("1348")
    assert loaders.is_walloon_postal_code("6700")
    assert not loaders.is_walloon_postal_code("1000")
    assert not loaders.is_walloon_postal_code("9000")
    assert not loaders.is_walloon_postal_code("abcd")


def test_kbo_juridical_forms_have_french_and_dutch_labels():
    srl = KboCode.objects.get(category="JuridicalForm", code="610")
    assert srl.label_fr and srl.label_nl
    assert selectors.kbo_label("JuridicalForm", "610", "fr") == srl.label_fr
    assert selectors.kbo_label("JuridicalForm", "does-not-exist") == "does-not-exist"
    assert not KboCode.objects.filter(category__startswith="Nace").exists()


def test_nace_search_by_code_prefix_and_by_words_in_any_language():
    assert [n.code for n in selectors.nace_search("43.11")][:2] == ["4311", "43110"]
    labels = [n.code for n in selectors.nace_search("démolition")]
    assert "4311" in labels
    assert "4311" in [n.code for n in selectors.nace_search("slopen")]


def test_descendant_codes_follow_the_hierarchy():
    codes = selectors.nace_descendant_codes(["43.1"], "2025")
    assert {"431", "4311", "43110", "4312"} <= codes
    assert "4321" not in codes
