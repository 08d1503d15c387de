"""Open data: the public directory as CSV and JSON under CC BY 4.0.

Rows are built from ``selectors.public_organisations()`` and an explicit list of public fields, so a
field added to ``Organisation`` later is never exported by accident.
"""

import csv
import io
import re
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from grappe.showcase import certifications, selectors

LICENCE_NAME = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]
COLUMNS = [
    "name",
    "acronym",
    "kind",
    "website",
    "email",
    "phone",
    *(f"description_{code}" for code in LANGUAGE_CODES),
    "value_chains",
    "segments",
    "competences",
    "certifications",
    "export_markets",
    "municipalities",
    "profile_url",
]
# A phone number may start with "+"; any other leading formula character is neutralised for spreadsheets.
_PHONE_LIKE = re.compile(r"^[+-][\d\s./()-]+$")


def rows(base_url: str) -> list[dict[str, Any]]:
    """One dict per public organisation; list values are lists (JSON) joined by " | " in CSV."""
    organisations = (
        selectors.public_organisations()
        .prefetch_related("segments__value_chain", "competences", "sites__municipality", "sites__postal_code")
        .order_by("name", "pk")
    )
    result = []
    organisations = list(organisations)
    credentials = certifications.public_names_by_organisation(org.pk for org in organisations)
    with translation.override("fr"):
        for org in organisations:
            segments = list(org.segments.all())
            result.append(
                {
                    "name": org.name,
                    "acronym": org.acronym,
                    "kind": org.kind,
                    "website": org.website,
                    "email": org.email,
                    "phone": org.phone,
                    **{f"description_{code}": getattr(org, f"description_{code}") or "" for code in LANGUAGE_CODES},
                    "value_chains": sorted({s.value_chain.slug for s in segments}),
                    "segments": sorted(f"{s.value_chain.slug}/{s.slug}" for s in segments),
                    "competences": sorted(c.slug for c in org.competences.all()),
                    "certifications": credentials.get(org.pk, []),
                    "export_markets": sorted(str(country.code) for country in org.export_markets),
                    "municipalities": sorted(
                        {f"{site.postal_code.code} {site.municipality.label_fr}" for site in org.sites.all()}
                    ),
                    "profile_url": base_url + reverse("showcase:profile", args=[org.slug]),
                }
            )
    return result


def _cell(value: Any) -> str:
    text = " | ".join(value) if isinstance(value, list) else str(value or "")
    if text[:1] in ("=", "@", "\t", "\r") or (text[:1] in ("+", "-") and not _PHONE_LIKE.match(text)):
        return "'" + text
    return text


def as_csv(data: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for row in data:
        writer.writerow([_cell(row[column]) for column in COLUMNS])
    return buffer.getvalue()


def as_document(data: list[dict[str, Any]], *, base_url: str) -> dict[str, Any]:
    return {
        "title": f"{settings.GRAPPE_CLUSTER_NAME} — public directory",
        "publisher": settings.GRAPPE_CLUSTER_NAME,
        "licence": {"name": LICENCE_NAME, "url": LICENCE_URL},
        "attribution": settings.GRAPPE_CLUSTER_NAME,
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "source": base_url + reverse("showcase:directory"),
        "count": len(data),
        "organisations": data,
    }


def dcat_catalog(base_url: str, *, count: int, modified: Any) -> dict[str, Any]:
    """DCAT-AP 2 catalogue with one dataset (the public directory) and its CSV and JSON distributions."""
    publisher = {"@type": "foaf:Agent", "foaf:name": settings.GRAPPE_CLUSTER_NAME}
    licence = {"@id": LICENCE_URL}
    distributions = []
    for name, media_type, url_name in (
        ("CSV", "text/csv", "showcase-opendata-csv"),
        ("JSON", "application/json", "showcase-opendata-json"),
    ):
        url = base_url + reverse(url_name)
        distributions.append(
            {
                "@id": url,
                "@type": "dcat:Distribution",
                "dct:title": f"{settings.GRAPPE_CLUSTER_NAME} — {name}",
                "dcat:accessURL": {"@id": url},
                "dcat:downloadURL": {"@id": url},
                "dcat:mediaType": {"@id": f"http://www.iana.org/assignments/media-types/{media_type}"},
                "dct:format": name,
                "dct:license": licence,
            }
        )
    dataset = {
        "@id": base_url + reverse("showcase-opendata-json") + "#dataset",
        "@type": "dcat:Dataset",
        "dct:title": [
            {"@language": "fr", "@value": f"Annuaire des membres — {settings.GRAPPE_CLUSTER_NAME}"},
            {"@language": "en", "@value": f"Members directory — {settings.GRAPPE_CLUSTER_NAME}"},
            {"@language": "nl", "@value": f"Ledenlijst — {settings.GRAPPE_CLUSTER_NAME}"},
            {"@language": "de", "@value": f"Mitgliederverzeichnis — {settings.GRAPPE_CLUSTER_NAME}"},
        ],
        "dct:description": [
            {
                "@language": "fr",
                "@value": f"Les {count} membres ayant consenti à un profil public : activités, compétences, "
                "chaînes de valeur, marchés d'exportation, communes d'implantation.",
            },
            {
                "@language": "en",
                "@value": f"The {count} members who consented to a public profile: activities, competences, "
                "value chains, export markets, municipalities.",
            },
        ],
        "dct:publisher": publisher,
        "dct:license": licence,
        "dct:modified": {"@value": str(modified), "@type": "xsd:date"},
        "dct:spatial": {"@id": "http://publications.europa.eu/resource/authority/country/BEL"},
        "dct:language": [
            {"@id": f"http://publications.europa.eu/resource/authority/language/{code}"}
            for code in ("FRA", "ENG", "NLD", "DEU")
        ],
        "dcat:theme": {"@id": "http://publications.europa.eu/resource/authority/data-theme/ECON"},
        "dcat:keyword": ["cluster", "Wallonie", "annuaire", "directory"],
        "dcat:landingPage": {"@id": base_url + reverse("showcase:directory")},
        "dcat:contactPoint": {"@type": "vcard:Organization", "vcard:fn": settings.GRAPPE_CLUSTER_NAME},
        "dcat:distribution": distributions,
    }
    return {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
            "vcard": "http://www.w3.org/2006/vcard/ns#",
            "xsd": "http://www.w3.org/2001/XMLSchema#",
        },
        "@id": base_url + reverse("showcase-dcat"),
        "@type": "dcat:Catalog",
        "dct:title": f"{settings.GRAPPE_CLUSTER_NAME} — open data",
        "dct:publisher": publisher,
        "dct:license": licence,
        "dcat:dataset": [dataset],
    }
