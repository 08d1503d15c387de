"""Public pages (anonymous visitors, every language): home, directory, profiles, value chains, robots.txt."""

import json
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from grappe.ecosystem import maps
from grappe.ecosystem.models import Organisation, ValueChain
from grappe.showcase import certifications, opendata, selectors

# JSON inside a <script> must not be able to close the element.
_JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def json_ld(data: dict[str, Any]) -> SafeString:
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(_JSON_SCRIPT_ESCAPES))


FACET_NAMES = {
    "value_chain": gettext_lazy("Chaîne de valeur"),
    "competence": gettext_lazy("Compétence"),
    "province": gettext_lazy("Province"),
    "kind": gettext_lazy("Type d'organisation"),
    "market": gettext_lazy("Marché d'exportation"),
}
SORT_NAMES = {
    "name": gettext_lazy("Nom (A → Z)"),
    "-name": gettext_lazy("Nom (Z → A)"),
}


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "showcase/home.html",
        {"figures": selectors.key_figures(), "value_chains": selectors.value_chains_with_segments()},
    )


_escaped: dict[str, str] = {}


def _escape_once(text: str) -> str:
    """``escape(text)``, remembered per worker: facet values and labels are the same on every page."""
    escaped = _escaped.get(text)
    if escaped is None:
        if len(_escaped) > 20_000:
            _escaped.clear()
        escaped = _escaped[text] = str(escape(text))
    return escaped


def _options_html(options: list[selectors.FacetOption]) -> SafeString:
    """The ``<option>`` elements of one facet (value and label escaped, the count an int)."""
    return mark_safe(  # every text part goes through escape()
        "".join(
            f'<option value="{_escape_once(o.value)}"{" selected" if o.selected else ""}>'
            f"{_escape_once(o.label)} ({int(o.count)})</option>"
            for o in options
        )
    )


@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    result = selectors.directory_search(request.GET, page_size=selectors.PAGE_SIZE)
    # Card values computed here (one URL reversal, no filters or per-row template work).
    profile_url = reverse("showcase:profile", args=["-slug-"])
    kinds = dict(Organisation.Kind.choices)
    cards = []
    for org in result.page.object_list:
        text, language = selectors.translated_description(org)
        cards.append(
            {
                "url": profile_url.replace("-slug-", org.slug),
                "name": org.name,
                "kind": kinds.get(org.kind, org.kind),
                "description": Truncator(text).chars(180),
                "language": language,
            }
        )
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "result": result,
        "cards": cards,
        "query_without_page": params.urlencode(),
        # Options rendered here, not in a template loop: a hundred options cost the template most of the page.
        "facet_groups": [
            (facet, FACET_NAMES[facet], _options_html(result.facets[facet])) for facet in selectors.FACETS
        ],
        "sorts": list(SORT_NAMES.items()),
    }
    # htmx gets the region only, except when restoring history (htmx then needs the whole page).
    partial = bool(request.htmx) and not request.htmx.history_restore_request
    template = "showcase/_directory_region.html" if partial else "showcase/directory.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])  # caches must not serve the fragment as the page
    return response


@require_GET
def profile(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        organisation = selectors.public_organisation(slug)
    except Organisation.DoesNotExist as exc:
        raise Http404(_("Aucun profil public à cette adresse.")) from exc
    description, description_language = selectors.translated_description(organisation)
    points = selectors.public_markers(organisation)
    markers = [maps.Marker(lat, lon, label) for lat, lon, label in points]
    url = request.build_absolute_uri(reverse("showcase:profile", args=[organisation.slug]))
    logo_url = request.build_absolute_uri(organisation.logo.url) if organisation.logo else ""
    structured: dict[str, Any] = {"@context": "https://schema.org", "@type": "Organization", "name": organisation.name}
    structured["url"] = url
    if organisation.website:
        structured["sameAs"] = [organisation.website]
    if description:
        structured["description"] = description
    if logo_url:
        structured["logo"] = logo_url
    if organisation.email:
        structured["email"] = organisation.email
    if organisation.phone:
        structured["telephone"] = organisation.phone
    credentials = list(certifications.public_certifications(organisation))
    if credentials:
        structured["hasCredential"] = certifications.json_ld(credentials)
        structured["award"] = [c.name for c in credentials]
    localities = sorted({label for _lat, _lon, label in points})
    if localities:
        structured["location"] = [
            {"@type": "Place", "address": {"@type": "PostalAddress", "addressLocality": loc, "addressCountry": "BE"}}
            for loc in localities
        ]
    return render(
        request,
        "showcase/profile.html",
        {
            "organisation": organisation,
            "description": description,
            "description_language": description_language,
            "description_is_fallback": bool(description) and description_language != (get_language() or "fr")[:2],
            "og_description": Truncator(description).chars(200),
            "canonical_url": url,
            "logo_url": logo_url,
            "localities": localities,
            "site_map": maps.map_svg(markers, title=_("Implantations de %(name)s") % {"name": organisation.name}),
            "json_ld": json_ld(structured),
            "segments": organisation.segments.all(),
            "competences": organisation.competences.all(),
            "certifications": credentials,
            "related_posts": [
                {"post": post, "title": title, "lang": lang}
                for post in selectors.public_posts().filter(organisations=organisation)[:5]
                for title, lang in [post.in_language("title", (get_language() or "fr")[:2])]
            ],
            "related_opportunities": list(selectors.public_opportunities().filter(organisation=organisation)[:5]),
        },
    )


@require_GET
def value_chain(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        chain, rows = selectors.value_chain_detail(slug)
    except ValueChain.DoesNotExist as exc:
        raise Http404(_("Aucune chaîne de valeur à cette adresse.")) from exc
    return render(request, "showcase/value_chain.html", {"chain": chain, "rows": rows})


@require_GET
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /staff/",
        "Disallow: /portal/",
        "Disallow: /admin/",
        "Disallow: /accounts/",
        "Disallow: /api/",
        "Allow: /",
        f"Sitemap: {request.build_absolute_uri(reverse('showcase-sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def _licence_link(response: HttpResponse) -> HttpResponse:
    response["Link"] = f'<{opendata.LICENCE_URL}>; rel="license"'
    response["Access-Control-Allow-Origin"] = "*"  # open data: any site may read it
    return response


@require_GET
def opendata_csv(request: HttpRequest) -> HttpResponse:
    base_url = request.build_absolute_uri("/").rstrip("/")
    response = HttpResponse(opendata.as_csv(opendata.rows(base_url)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="organisations.csv"'
    return _licence_link(response)


@require_GET
def opendata_json(request: HttpRequest) -> HttpResponse:
    base_url = request.build_absolute_uri("/").rstrip("/")
    document = opendata.as_document(opendata.rows(base_url), base_url=base_url)
    return _licence_link(JsonResponse(document, json_dumps_params={"ensure_ascii": False, "indent": 1}))
