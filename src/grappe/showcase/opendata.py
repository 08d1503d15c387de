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

from grappe.showcase import selectors

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
