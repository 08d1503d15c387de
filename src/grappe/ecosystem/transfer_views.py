"""Staff views to import organisations and people from CSV/XLSX, and to export the filtered lists.

The import is a wizard: upload (the file is kept on the server under a random token recorded in the
session) -> mapping and dry-run preview (recomputed from the stored file on every request) -> apply
(one transaction) -> result. Nothing the browser sends is trusted as row data.
"""

import datetime as dt
import hashlib
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grappe.accounts.permissions import staff_required
from grappe.core.audit import audit_log
from grappe.ecosystem import exporting, importing
from grappe.ecosystem.importing import plan as plan_module
from grappe.ecosystem.importing import reading, storage
from grappe.ecosystem.importing.fields import field_specs

_SESSION_KEY = "ecosystem_imports"
_RESULTS_KEY = "ecosystem_import_results"
_ORGANISATION_FILTERS = ("q", "kind", "province", "nace", "status", "value_chain", "segment", "competence")
# Lines always shown in the preview besides those with errors, duplicates, warnings or updates.
_PREVIEW_PLAIN_LINES = 50

_URLS = {
    importing.ORGANISATIONS: {
        "upload": "ecosystem:organisation_import",
        "preview": "ecosystem:organisation_import_preview",
        "done": "ecosystem:organisation_import_done",
        "list": "ecosystem:organisation_list",
    },
    importing.PEOPLE: {
        "upload": "ecosystem:person_import",
        "preview": "ecosystem:person_import_preview",
        "done": "ecosystem:person_import_done",
        "list": "ecosystem:person_list",
    },
}
_TITLES = {
    importing.ORGANISATIONS: gettext_lazy("Importer des organisations"),
    importing.PEOPLE: gettext_lazy("Importer des personnes"),
}


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Fichier CSV ou XLSX"),
    )
    mode = forms.ChoiceField(
        label=gettext_lazy("Lignes déjà connues"),
        choices=list(plan_module.MODES.items()),
        initial=plan_module.MODE_CREATE_ONLY,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "%(size)s Mo et %(rows)s lignes au plus ; la première ligne nomme les colonnes."
        ) % {"size": f"{reading.max_bytes() / 1048576:.0f}", "rows": reading.max_rows()}

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > reading.max_bytes():
            raise forms.ValidationError(
                _("Le fichier pèse %(size)s Mo ; la limite est de %(limit)s Mo.")
                % {"size": f"{upload.size / 1048576:.1f}", "limit": f"{reading.max_bytes() / 1048576:.0f}"}
            )
        return upload


# --- import wizard -----------------------------------------------------------------------------------------------


def _upload(request: HttpRequest, kind: str) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        filename = (upload.name or "fichier")[:200]
        try:
            reading.read_table(data, filename)
        except reading.ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            token = storage.store(data)
            imports = request.session.get(_SESSION_KEY, {})
            imports[token] = {"kind": kind, "filename": filename, "mode": form.cleaned_data["mode"]}
            request.session[_SESSION_KEY] = imports
            return redirect(_URLS[kind]["preview"], token=token)
    return render(
        request,
        "ecosystem/import_upload.html",
        {"form": form, "kind": kind, "title": _TITLES[kind], "fields": field_specs(kind), "urls": _URLS[kind]},
    )


def _fingerprint(token: str, plan: importing.Plan, decisions: dict[int, str]) -> str:
    """What the staff member saw in the preview; importing something else first shows a new preview."""
    text = "|".join([token, plan.mode, ",".join(plan.mapping), repr(sorted(decisions.items()))])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _posted_mapping(request: HttpRequest, kind: str, headers: list[str]) -> list[str] | None:
    if request.method != "POST":
        return None
    keys = {spec.key for spec in field_specs(kind)}
    mapping = []
    for position in range(len(headers)):
        key = request.POST.get(f"map-{position}", "")
        mapping.append(key if key in keys else "")
    return mapping


def _posted_decisions(request: HttpRequest) -> dict[int, str]:
    decisions = {}
    for name, value in request.POST.items():
        if name.startswith("decision-") and name[9:].isdigit() and value in plan_module.DECISIONS:
            decisions[int(name[9:])] = value
    return decisions


def _preview(request: HttpRequest, kind: str, token: str) -> HttpResponse:
    entry = request.session.get(_SESSION_KEY, {}).get(token)
    if not entry or entry.get("kind") != kind:
        raise Http404(_("Cet import n'existe pas ou a expiré."))
    data = storage.load(token)
    if data is None:
        messages.error(request, _("Le fichier envoyé a expiré ; envoyez-le à nouveau."))
        return redirect(_URLS[kind]["upload"])
    try:
        table = reading.read_table(data, entry["filename"])
    except reading.ImportFileError as exc:  # the limits may have changed since the upload
        messages.error(request, str(exc))
        return redirect(_URLS[kind]["upload"])
    mode = request.POST.get("mode", entry["mode"])
    if mode not in plan_module.MODES:
        mode = plan_module.MODE_CREATE_ONLY
    decisions = _posted_decisions(request)
    plan = importing.build_plan(
        kind,
        table,
        filename=entry["filename"],
        mapping=_posted_mapping(request, kind, table.headers),
        mode=mode,
        decisions=decisions,
    )
    fingerprint = _fingerprint(token, plan, decisions)
    apply_error = ""
    if request.method == "POST" and request.POST.get("action") == "apply":
        if request.POST.get("fingerprint") != fingerprint:
            apply_error = _("La correspondance ou les choix ont changé : vérifiez le nouvel aperçu, puis importez.")
        else:
            try:
                summary = importing.apply_plan(plan, actor=request.user)
            except importing.ApplyError as exc:
                apply_error = str(exc)
            else:
                return _finish(request, kind, token, entry, plan, summary)
    return render(
        request, "ecosystem/import_preview.html", _preview_context(kind, token, table, plan, fingerprint, apply_error)
    )


def _finish(
    request: HttpRequest, kind: str, token: str, entry: dict, plan: importing.Plan, summary: importing.Summary
) -> HttpResponse:
    storage.discard(token)
    imports = request.session.get(_SESSION_KEY, {})
    imports.pop(token, None)
    request.session[_SESSION_KEY] = imports
    results = request.session.get(_RESULTS_KEY, {})
    results = dict(list(results.items())[-9:])  # keep the last few results only
    results[token] = {"kind": kind, "filename": entry["filename"], **summary.as_dict()}
    request.session[_RESULTS_KEY] = results
    return redirect(_URLS[kind]["done"], token=token)


def _preview_context(
    kind: str, token: str, table: reading.Table, plan: importing.Plan, fingerprint: str, apply_error: str
) -> dict[str, Any]:
    samples = [[cells[i] for _line, cells in table.rows[:3] if i < len(cells)] for i in range(len(table.headers))]
    columns = [{**column, "samples": samples[i]} for i, column in enumerate(plan.columns)]
    notable, plain = [], []
    for line in plan.lines:
        if line.errors or line.warnings or line.action != plan_module.CREATE:
            notable.append(line)
        elif len(plain) < _PREVIEW_PLAIN_LINES:
            plain.append(line)
    shown = sorted(notable + plain, key=lambda line: line.line)
    rows = [
        {
            "line": line,
            "cells": [line.raw.get(key, "") for key, _label in plan.mapped_fields],
            "decisions": [
                (code, label)
                for code, label in plan_module.DECISIONS.items()
                if line.match and (line.match.pk is not None or code != plan_module.UPDATE)
            ],
        }
        for line in shown
    ]
    return {
        "kind": kind,
        "title": _TITLES[kind],
        "token": token,
        "plan": plan,
        "columns": columns,
        "field_choices": [("", _("— ignorer —")), *((spec.key, str(spec.label)) for spec in field_specs(kind))],
        "modes": list(plan_module.MODES.items()),
        "counts": plan.counts(),
        "rows": rows,
        "hidden_count": len(plan.lines) - len(shown),
        "fingerprint": fingerprint,
        "apply_error": apply_error,
        "blocking": plan.blocking_reasons(),
        "can_apply": not plan.errors,
        "urls": _URLS[kind],
    }


def _done(request: HttpRequest, kind: str, token: str) -> HttpResponse:
    result = request.session.get(_RESULTS_KEY, {}).get(token)
    if not result or result.get("kind") != kind:
        return redirect(_URLS[kind]["upload"])
    return render(
        request,
        "ecosystem/import_done.html",
        {"kind": kind, "title": _TITLES[kind], "result": result, "urls": _URLS[kind]},
    )


@staff_required
def organisation_import(request: HttpRequest) -> HttpResponse:
    return _upload(request, importing.ORGANISATIONS)


@staff_required
def organisation_import_preview(request: HttpRequest, token: str) -> HttpResponse:
    return _preview(request, importing.ORGANISATIONS, token)


@staff_required
def organisation_import_done(request: HttpRequest, token: str) -> HttpResponse:
    return _done(request, importing.ORGANISATIONS, token)


@staff_required
def person_import(request: HttpRequest) -> HttpResponse:
    return _upload(request, importing.PEOPLE)


@staff_required
def person_import_preview(request: HttpRequest, token: str) -> HttpResponse:
    return _preview(request, importing.PEOPLE, token)


@staff_required
def person_import_done(request: HttpRequest, token: str) -> HttpResponse:
    return _done(request, importing.PEOPLE, token)


# --- exports -----------------------------------------------------------------------------------------------------


def _download(
    fmt: str, name: str, headers: list[str], rows: Any, *, title: str
) -> HttpResponse | StreamingHttpResponse:
    filename = f"{name}-{dt.date.today().isoformat()}.{fmt}"
    if fmt == "csv":
        response: HttpResponse | StreamingHttpResponse = StreamingHttpResponse(
            exporting.csv_stream(headers, rows), content_type="text/csv; charset=utf-8"
        )
    else:
        response = HttpResponse(
            exporting.xlsx_bytes(headers, rows, title=title),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@staff_required
def organisation_export(request: HttpRequest, fmt: str) -> HttpResponse | StreamingHttpResponse:
    filters = {key: request.GET.get(key, "") for key in _ORGANISATION_FILTERS if request.GET.get(key)}
    audit_log(
        actor=request.user,
        action="ecosystem.organisations.exported",
        changes={"format": fmt, "filters": filters},
        message=_("Export des organisations (%(fmt)s)") % {"fmt": fmt.upper()},
    )
    return _download(
        fmt,
        "organisations",
        exporting.organisation_headers(),
        exporting.organisation_rows(filters),
        title=_("Organisations"),
    )


@staff_required
def person_export(request: HttpRequest, fmt: str) -> HttpResponse | StreamingHttpResponse:
    text = request.GET.get("q", "")
    # People's contact details are personal data: every export is recorded (who, when, which search).
    audit_log(
        actor=request.user,
        action="ecosystem.people.exported",
        changes={"format": fmt, "filters": {"q": text} if text else {}},
        message=_("Export des personnes (%(fmt)s)") % {"fmt": fmt.upper()},
    )
    return _download(fmt, "personnes", exporting.person_headers(), exporting.person_rows(text), title=_("Personnes"))
