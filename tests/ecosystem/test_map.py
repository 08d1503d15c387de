"""The offline SVG map: projection, background silhouette, markers, accessibility."""

import re

from grappe.ecosystem import maps
from grappe.ecosystem.models import Site
from grappe.referential.models import PostalCode


def test_projection_puts_west_left_and_north_up():
    ostend = maps.project(51.23, 2.92)
    arlon = maps.project(49.68, 5.81)
    assert ostend[0] < arlon[0]
    assert ostend[1] < arlon[1]
    for x, y in (ostend, arlon):
        assert 0 <= x <= maps.WIDTH
        assert 0 <= y <= maps.HEIGHT


def test_background_has_one_dot_per_located_postal_code(db):
    maps._background_cache.clear()
    located = PostalCode.objects.filter(latitude__isnull=False, longitude__isnull=False).count()
    assert located > 1000
    assert maps.background_path().count("h0") == located


def test_background_is_computed_once_per_process(db, django_assert_num_queries):
    maps._background_cache.clear()
    maps.background_path()
    with django_assert_num_queries(0):
        maps.background_path()


def test_site_markers_are_labelled_and_escaped(db):
    namur = PostalCode.objects.select_related("municipality").get(code="5000")
    site = Site(postal_code=namur, municipality=namur.municipality, label="<Atelier & dépôt>")
    svg = str(maps.site_map([site], title="Sites d'Alpha"))
    assert svg.count('class="map-site"') == 1
    assert "&lt;Atelier &amp; dépôt&gt; — 5000 Namur" in svg
    assert 'role="img"' in svg
    assert re.search(r'aria-labelledby="site-map-title site-map-desc"', svg)
    assert "Sites d&#x27;Alpha" in svg


def test_sites_without_coordinates_are_skipped_and_described(db):
    namur = PostalCode.objects.select_related("municipality").get(code="5000")
    site = Site(postal_code=PostalCode(code="0000"), municipality=namur.municipality)
    svg = str(maps.site_map([site]))
    assert 'class="map-site"' not in svg
    assert "Aucun site localisé." in svg
