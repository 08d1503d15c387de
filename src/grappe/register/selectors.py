"""Reads of the register universe, shared by the ``kbo`` command, views and the insights app."""

import datetime as dt
import re
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet

from grappe.core.text import fold
from grappe.referential.models import KboCode, NaceCode, Province
from grappe.referential.selectors import kbo_label
from grappe.register.models import (
    Activity,
    Address,
    Branch,
    Contact,
    Denomination,
    Enterprise,
    Establishment,
    ImportRun,
)
from grappe.register.numbers import ENTERPRISE_MAX, format_entity_number, number_from_user
from grappe.register.territory import province_of_postal_codes


def last_import() -> ImportRun | None:
    """The last successful import: which extract the register reflects."""
    return ImportRun.objects.filter(status=ImportRun.Status.SUCCEEDED).order_by("-finished_at", "-id").first()


def _prefix_range(prefix: str) -> tuple[str, str]:
    """``43`` -> (``43``, ``44``): a range an index can serve, unlike ``LIKE '43%'`` on SQLite."""
    return prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)


def activity_filter(nace_prefixes: list[str], *, version: int = 2025, main_only: bool = False) -> QuerySet[Activity]:
    """Activities under any of the NACE prefixes (undotted or dotted; a section letter is expanded)."""
    condition = Q()
    for raw in nace_prefixes:
        prefix = raw.replace(".", "").strip().upper()
        if not prefix:
            continue
        if prefix.isalpha():
            divisions = NaceCode.objects.filter(version=str(version), level=2, section=prefix).values_list(
                "code", flat=True
            )
            for division in divisions:
                low, high = _prefix_range(division)
                condition |= Q(nace_code__gte=low, nace_code__lt=high)
            continue
        low, high = _prefix_range(prefix)
        condition |= Q(nace_code__gte=low, nace_code__lt=high)
    queryset = Activity.objects.filter(condition, nace_version=version) if condition else Activity.objects.none()
    # The classification is the index's second column: name it, even when any will do.
    classifications = [Activity.Classification.MAIN] if main_only else list(Activity.Classification.values)
    return queryset.filter(classification__in=classifications)


def universe(
    *,
    nace_prefixes: list[str] | None = None,
    nace_version: int = 2025,
    main_only: bool = False,
    province_nis: list[str] | None = None,
    postal_codes: list[str] | None = None,
    started_after: dt.date | None = None,
    started_before: dt.date | None = None,
    legal_persons_only: bool = False,
) -> QuerySet[Enterprise]:
    """Enterprises of the universe, filtered by NACE prefix and version, province, postal code, start date."""
    queryset = Enterprise.objects.all()
    if nace_prefixes:
        activities = activity_filter(nace_prefixes, version=nace_version, main_only=main_only)
        queryset = queryset.filter(number__in=activities.values("enterprise_id"))
    if province_nis:
        queryset = queryset.filter(province__in=province_nis)
    if postal_codes:
        queryset = queryset.filter(zipcode__in=postal_codes)
    if started_after:
        queryset = queryset.filter(start_date__gte=started_after)
    if started_before:
        queryset = queryset.filter(start_date__lt=started_before)
    if legal_persons_only:
        queryset = queryset.filter(type_of_enterprise=Enterprise.Type.LEGAL_PERSON)
    return queryset


def municipality_postal_codes(text: str) -> list[str]:
    """Postal codes of the municipalities or localities whose name contains ``text`` (accents ignored)."""
    from grappe.referential.models import PostalCode

    wanted = fold(text)
    if not wanted:
        return []
    codes = set()
    for code, locality, label_fr, label_nl in PostalCode.objects.values_list(
        "code", "locality", "municipality__label_fr", "municipality__label_nl"
    ):
        if any(wanted in fold(name) for name in (locality, label_fr, label_nl) if name):
            codes.add(code)
    return sorted(codes)


_ACCENTS = {
    "a": "aàâäáã",
    "c": "cç",
    "e": "eéèêë",
    "i": "iîïíì",
    "o": "oôöóò",
    "u": "uùûüú",
    "y": "yÿý",
    "n": "nñ",
}


def _accent_pattern(word: str) -> str:
    """A regular expression matching ``word`` (folded) with or without accents: ``liege`` -> ``l[iî..]eg[e..]``."""
    parts = []
    for ch in word:
        variants = _ACCENTS.get(ch)
        parts.append(f"[{variants}{variants.upper()}]" if variants else re.escape(ch))
    return "".join(parts)


def search(
    text: str = "", *, postal_code: str = "", municipality: str = "", nace: str = "", limit: int = 50
) -> list[Enterprise]:
    """Staff search: a number, or words of a name (accents ignored), with a postal code, municipality or NACE prefix."""
    queryset = Enterprise.objects.all()
    number = number_from_user(text) if text and any(ch.isdigit() for ch in text) else None
    if number is not None:
        if number >= ENTERPRISE_MAX:
            queryset = queryset.filter(establishments__number=number)
        else:
            queryset = queryset.filter(number=number)
    elif text:
        names = Denomination.objects.all()
        for word in text.split()[:6]:
            names = names.filter(value__icontains=word)
        matched = set(names.values_list("enterprise_id", flat=True)[:5000])
        folded = fold(text)
        if folded != text.lower():  # accents typed by the user: also try the folded words
            more = Denomination.objects.all()
            for word in folded.split()[:6]:
                more = more.filter(value__icontains=word)
            matched |= set(more.values_list("enterprise_id", flat=True)[:5000])
        # Accents not typed ("liege" for "Liège"): match the preferred names with an accent-tolerant
        # pattern (one row per enterprise, so this stays a single pass over the enterprise table).
        by_name = Enterprise.objects.all()
        for word in folded.split()[:6]:
            by_name = by_name.filter(name__iregex=_accent_pattern(word))
        matched |= set(by_name.values_list("number", flat=True)[:5000])
        queryset = queryset.filter(number__in=matched)
    if postal_code:
        queryset = queryset.filter(
            Q(zipcode=postal_code) | Q(number__in=Address.objects.filter(zipcode=postal_code).values("enterprise_id"))
        )
    if municipality:
        codes = municipality_postal_codes(municipality)
        queryset = queryset.filter(
            Q(zipcode__in=codes) | Q(number__in=Address.objects.filter(zipcode__in=codes).values("enterprise_id"))
        )
    if nace:
        queryset = queryset.filter(number__in=activity_filter([nace]).values("enterprise_id"))
    return list(queryset.order_by("name", "number")[:limit])


def linked_organisations(numbers: list[int]) -> dict[int, Any]:
    """Enterprise number -> the ecosystem organisation carrying it (one query)."""
    from grappe.ecosystem.models import Organisation

    keys = [f"{n:010d}" for n in numbers]
    return {int(o.enterprise_number): o for o in Organisation.objects.filter(enterprise_number__in=keys)}


def enterprise_names(numbers: list[int]) -> dict[int, Enterprise]:
    return Enterprise.objects.in_bulk(numbers)


def link_choices(number: int, limit: int = 50) -> list[Any]:
    """Organisations without a number with a site in one of the enterprise's postal codes (for "link to existing")."""
    from grappe.ecosystem.models import Organisation

    codes = set(Address.objects.filter(enterprise_id=number).values_list("zipcode", flat=True))
    return list(
        Organisation.objects.filter(enterprise_number__isnull=True, sites__postal_code__code__in=codes)
        .distinct()
        .order_by("name")[:limit]
    )


def change_extracts() -> list[int]:
    from grappe.register.models import RegisterChange

    return list(
        RegisterChange.objects.order_by("-extract_number").values_list("extract_number", flat=True).distinct()[:50]
    )


def _nace_labels(pairs: set[tuple[int, str]]) -> dict[tuple[int, str], str]:
    """Labels of (version, code) pairs: NACE-BEL 2008/2025 from the referential, 2003 from the KBO code table."""
    labels: dict[tuple[int, str], str] = {}
    for version in (2008, 2025):
        codes = [code for v, code in pairs if v == version]
        for nace in NaceCode.objects.filter(version=str(version), code__in=codes):
            labels[(version, nace.code)] = nace.label
    return labels


def entity_detail(text: str) -> dict[str, Any] | None:
    """One enterprise or establishment as the register has it (what ``kbo show --json`` prints)."""
    number = number_from_user(text)
    if number is None:
        return None
    if number >= ENTERPRISE_MAX:
        establishment = Establishment.objects.filter(number=number).first()
        if establishment is None:
            return None
        data = _entity_block(number)
        data.update(
            {
                "kind": "establishment",
                "number": format_entity_number(number),
                "start_date": establishment.start_date,
                "enterprise": format_entity_number(establishment.enterprise_id),
            }
        )
        owner = Enterprise.objects.filter(number=establishment.enterprise_id).first()
        data["enterprise_name"] = owner.name if owner else ""
        return data
    enterprise = Enterprise.objects.filter(number=number).first()
    if enterprise is None:
        return None
    data = {
        "kind": "enterprise",
        "number": enterprise.display_number,
        "name": enterprise.name,
        "status": enterprise.status,
        "status_label": kbo_label("Status", enterprise.status),
        "juridical_situation": enterprise.juridical_situation,
        "juridical_situation_label": kbo_label("JuridicalSituation", enterprise.juridical_situation),
        "type_of_enterprise": enterprise.type_of_enterprise,
        "type_of_enterprise_label": kbo_label("TypeOfEnterprise", enterprise.type_of_enterprise),
        "juridical_form": enterprise.juridical_form,
        "juridical_form_label": kbo_label("JuridicalForm", enterprise.juridical_form)
        if enterprise.juridical_form
        else "",
        "juridical_form_cac": enterprise.juridical_form_cac,
        "start_date": enterprise.start_date,
        "zipcode": enterprise.zipcode,
        "province": enterprise.province,
        "partial": enterprise.partial,
    }
    data.update(_entity_block(number))
    data["establishments"] = []
    for establishment in Establishment.objects.filter(enterprise_id=number).order_by("number"):
        block = _entity_block(establishment.number)
        block.update({"number": establishment.display_number, "start_date": establishment.start_date})
        data["establishments"].append(block)
    data["branches"] = [
        {"id": format_entity_number(b.id), "start_date": b.start_date, **_entity_block(b.id)}
        for b in Branch.objects.filter(enterprise_id=number).order_by("id")
    ]
    return data


def _entity_block(number: int) -> dict[str, Any]:
    """Names, addresses, contacts and activities of one entity."""
    names: dict[str, list[dict[str, str]]] = {}
    for den in Denomination.objects.filter(entity_number=number).order_by("type", "language", "id"):
        names.setdefault(den.get_type_display(), []).append(
            {
                "language": den.language,
                "language_label": str(den.get_language_display()),
                "type": den.type,
                "value": den.value,
            }
        )
    addresses = [
        {
            "type": a.type,
            "zipcode": a.zipcode,
            "municipality_fr": a.municipality_fr,
            "municipality_nl": a.municipality_nl,
            "street_fr": a.street_fr,
            "street_nl": a.street_nl,
            "house_number": a.house_number,
            "box": a.box,
            "extra": a.extra,
            "country_fr": a.country_fr,
            "struck_off_on": a.struck_off_on,
        }
        for a in Address.objects.filter(entity_number=number).order_by("type", "id")
    ]
    contacts = [
        {"entity_contact": c.entity_contact, "type": c.contact_type, "value": c.value}
        for c in Contact.objects.filter(entity_number=number).order_by("contact_type", "id")
    ]
    rows = list(
        Activity.objects.filter(entity_number=number)
        .order_by("-nace_version", "classification", "nace_code", "activity_group")
        .values_list("activity_group", "nace_version", "nace_code", "classification")
    )
    labels = _nace_labels({(version, code) for _g, version, code, _c in rows})
    group_labels = {
        k.code: k.label_in() for k in KboCode.objects.filter(category="ActivityGroup", code__in={r[0] for r in rows})
    }
    activities = [
        {
            "version": version,
            "code": code,
            "label": labels.get((version, code), ""),
            "classification": classification,
            "group": group,
            "group_label": group_labels.get(group, group),
        }
        for group, version, code, classification in rows
    ]
    return {"names": names, "addresses": addresses, "contacts": contacts, "activities": activities}


def universe_stats() -> dict[str, Any]:
    """Extract number, snapshot date, counts, by province and by NACE-BEL 2025 section (main activities)."""
    run = last_import()
    province_labels = {p.nis: p.label for p in Province.objects.all()}
    by_province: dict[str, dict[str, Any]] = {}
    for row in Enterprise.objects.values("province").annotate(n=Count("number")).order_by("province"):
        by_province.setdefault(row["province"], {"enterprises": 0, "establishments": 0})["enterprises"] = row["n"]
    establishment_province = Address.objects.filter(
        type=Address.Type.ESTABLISHMENT, struck_off_on__isnull=True, country_fr="", country_nl=""
    ).values_list("zipcode", flat=True)
    zip_province = province_of_postal_codes()
    counted: dict[str, int] = {}
    for zipcode, n in establishment_province.values("zipcode").annotate(n=Count("id")).values_list("zipcode", "n"):
        nis = zip_province.get(zipcode, "")
        counted[nis] = counted.get(nis, 0) + n
    for nis, n in counted.items():
        by_province.setdefault(nis, {"enterprises": 0, "establishments": 0})["establishments"] = n
    sections: dict[str, int] = {}
    division_section = dict(NaceCode.objects.filter(version="2025", level=2).values_list("code", "section"))
    per_division = (
        Activity.objects.filter(nace_version=2025, classification=Activity.Classification.MAIN)
        .values_list("nace_code", "enterprise_id")
        .distinct()
    )
    seen: set[tuple[str, int]] = set()
    for code, enterprise in per_division.iterator(chunk_size=20000):
        section = division_section.get(code[:2], "?")
        key = (section, enterprise)
        if key not in seen:
            seen.add(key)
            sections[section] = sections.get(section, 0) + 1
    section_labels = dict(NaceCode.objects.filter(version="2025", level=1).values_list("code", "label_fr"))
    return {
        "extract_number": run.extract_number if run else None,
        "snapshot_date": run.snapshot_date if run else None,
        "territory": settings.GRAPPE_REGISTER_TERRITORY,
        "enterprises": Enterprise.objects.count(),
        "establishments": Establishment.objects.count(),
        "activities": Activity.objects.count(),
        "by_province": [
            {"province_nis": nis, "province": province_labels.get(nis, ""), **values}
            for nis, values in sorted(by_province.items())
        ],
        "by_nace_section": [
            {"section": section, "label": section_labels.get(section, ""), "enterprises": n}
            for section, n in sorted(sections.items())
        ],
    }
