"""Views of the objectives contract (thin: selectors read, services write, permissions decide).

Read pages (dashboard, indicator, drill-down, reports, archives) are for staff and observers;
configuration and manual values are for staff.
"""

import csv
import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grappe.accounts import permissions
from grappe.objectives import charts, selectors, services
from grappe.objectives.computations import Period
from grappe.objectives.forms import ContractForm, IndicatorForm, MeasurementForm, ObjectiveForm, ReportForm
from grappe.objectives.models import Indicator, Measurement, Objective, ObjectivesContract, ReportArchive
from grappe.objectives.reports.content import ReportInputError, build
from grappe.objectives.reports.render import render as render_report

DRILLDOWN_LIMIT = 1000


def _contract_and_year(request: HttpRequest) -> tuple[ObjectivesContract | None, int | None]:
    contract = None
    if pk := request.GET.get("contract"):
        contract = ObjectivesContract.objects.filter(pk=pk).first() if pk.isdigit() else None
        if contract is None:
            raise Http404
    contract = contract or selectors.current_contract()
    if contract is None:
        return None, None
    year = request.GET.get("year", "")
    if year.isdigit() and contract.covers(int(year)):
        return contract, int(year)
    if year:
        messages.warning(
            request,
            _("L'année %(year)s est hors du contrat (%(start)s-%(end)s) : affichage de l'année par défaut.")
            % {"year": year, "start": contract.start_year, "end": contract.end_year},
        )
    return contract, selectors.default_year(contract)


def _trends(contract: ObjectivesContract, year: int, rows: list[selectors.IndicatorRow]) -> dict[int, Any]:
    """A sparkline per indicator over the contract years up to ``year``."""
    history = {y: selectors.year_rows(contract, y) for y in range(contract.start_year, year)}
    history[year] = rows
    years = sorted(history)
    by_indicator: dict[int, Any] = {}
    for row in rows:
        values, targets = [], []
        for y in years:
            match = next(r for r in history[y] if r.indicator.pk == row.indicator.pk)
            values.append(match.value)
            targets.append(match.target)
        by_indicator[row.indicator.pk] = charts.sparkline(years, values, targets)
    return by_indicator


@permissions.objectives_read_required
def dashboard(request: HttpRequest) -> HttpResponse:
    contract, year = _contract_and_year(request)
    if contract is None:
        return render(request, "objectives/dashboard.html", {"contract": None})
    rows = selectors.year_rows(contract, year)
    trends = _trends(contract, year, rows)
    for row in rows:
        row.trend = trends.get(row.indicator.pk)
    context = {
        "contract": contract,
        "contracts": selectors.contract_list(),
        "year": year,
        "blocks": selectors.by_mission(rows),
        "at_risk": selectors.at_risk(rows),
        "snapshot": selectors.default_snapshot(year),
        "report_form": ReportForm(contract=contract, initial={"year": year}),
        "can_edit": permissions.can_edit_objectives(request.user),
    }
    return render(request, "objectives/dashboard.html", context)


@permissions.objectives_read_required
def dashboard_csv(request: HttpRequest) -> HttpResponse:
    contract, year = _contract_and_year(request)
    if contract is None:
        raise Http404
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="objectifs-{year}.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 CSV correctly with a BOM
    writer = csv.writer(response, delimiter=";")
    writer.writerow(
        [_("Mission"), _("Code"), _("Indicateur"), _("Unité"), _("Cible"), _("Réalisé"), _("Statut"), _("Règle")]
    )
    for row in selectors.year_rows(contract, year):
        writer.writerow(
            [
                row.indicator.get_mission_display(),
                row.indicator.code,
                row.indicator.label,
                row.indicator.unit,
                selectors.format_decimal(row.target) or "",
                selectors.format_decimal(row.value) or "",
                row.status_label,
                row.rule,
            ]
        )
    return response


@permissions.objectives_read_required
def indicator_detail(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = get_object_or_404(Indicator.objects.select_related("contract", "objective"), pk=pk)
    contract = indicator.contract
    indicator = selectors.contract_indicators(contract).get(pk=pk)
    today = dt.date.today()
    last = min(max(today.year, contract.start_year), contract.end_year)
    years = [y for y in contract.year_list if y <= last]
    year = (
        int(request.GET["year"])
        if request.GET.get("year", "").isdigit() and int(request.GET["year"]) in years
        else last
    )
    yearly = [selectors.indicator_row(indicator, Period.of_year(y, selectors.default_snapshot(y))) for y in years]
    staff = permissions.can_see_objectives_evidence_details(request.user)
    context = {
        "indicator": indicator,
        "contract": contract,
        "yearly": yearly,
        "year": year,
        "quarters": selectors.quarter_rows(indicator, year),
        "trend": charts.sparkline(years, [r.value for r in yearly], [r.target for r in yearly], width=320, height=80),
        "measurements": indicator.measurements.select_related("entered_by").order_by("-year", "quarter")
        if not indicator.is_computed
        else [],
        "staff": staff,
        "can_edit": permissions.can_edit_objectives(request.user),
    }
    return render(request, "objectives/indicator_detail.html", context)


@permissions.objectives_read_required
def drilldown(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    indicator = get_object_or_404(Indicator.objects.select_related("contract"), pk=pk)
    if not indicator.contract.covers(year):
        raise Http404
    quarter = request.GET.get("quarter", "")
    snapshot = selectors.default_snapshot(year)
    period = (
        Period.of_quarter(year, int(quarter), snapshot)
        if quarter in ("1", "2", "3", "4")
        else Period.of_year(year, snapshot)
    )
    indicator = selectors.contract_indicators(indicator.contract).get(pk=pk)
    row = selectors.indicator_row(indicator, period)
    staff = permissions.can_see_objectives_evidence_details(request.user)
    evaluation, line = row.evaluation, None
    if "line" in request.GET:  # one number of the breakdown (e.g. the members of one province)
        found = selectors.breakdown_line(row.evaluation, request.GET["line"])
        if found is None:
            raise Http404
        line, evaluation = found
    total = selectors.record_count(evaluation)
    context = {
        "indicator": indicator,
        "row": row,
        "period": period,
        "line": line,
        "records": selectors.drilldown(evaluation, staff=staff, limit=DRILLDOWN_LIMIT),
        "total": total,
        "truncated": total is not None and total > DRILLDOWN_LIMIT,
        "staff": staff,
    }
    return render(request, "objectives/drilldown.html", context)


@permissions.objectives_read_required
def report_download(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_object_or_404(ObjectivesContract, pk=pk)
    form = ReportForm(request.GET, contract=contract)
    if not form.is_valid():
        errors = "; ".join(f"{form.fields[f].label} : {' '.join(e)}" for f, e in form.errors.items())
        messages.error(request, _("Rapport impossible : %(errors)s") % {"errors": errors})
        return redirect(reverse("objectives:dashboard") + f"?contract={contract.pk}")
    data = form.cleaned_data
    try:
        report = build(
            contract, data["year"], kind=data["kind"], language=data["language"], snapshot=data["snapshot"] or None
        )
        file = render_report(report, data["fmt"])
    except ReportInputError as exc:
        messages.error(request, str(exc))
        return redirect(reverse("objectives:dashboard") + f"?contract={contract.pk}&year={data['year']}")
    response = HttpResponse(file.content, content_type=file.content_type)
    response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    return response


@permissions.objectives_edit_required
@require_POST
def report_archive(request: HttpRequest, pk: int) -> HttpResponse:
    from grappe.objectives.reports.render import check_format
    from grappe.objectives.tasks import archive_report

    contract = get_object_or_404(ObjectivesContract, pk=pk)
    form = ReportForm(request.POST, contract=contract)
    if form.is_valid():
        data = form.cleaned_data
        try:
            check_format(data["kind"], "xlsx")
        except ReportInputError as exc:
            messages.error(request, str(exc))
        else:
            arguments = {
                "contract_id": contract.pk,
                "year": data["year"],
                "kind": data["kind"],
                "language": data["language"],
                "snapshot": data["snapshot"].isoformat() if data["snapshot"] else None,
                "user_id": request.user.pk,
            }
            transaction.on_commit(lambda: archive_report.enqueue(**arguments))
            messages.success(request, _("Le rapport est en cours de production ; il apparaîtra dans les archives."))
    else:
        errors = "; ".join(f"{form.fields[f].label} : {' '.join(e)}" for f, e in form.errors.items())
        messages.error(request, _("Archivage impossible : %(errors)s") % {"errors": errors})
    return redirect("objectives:archive_list", pk=contract.pk)


@permissions.objectives_read_required
def archive_list(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_object_or_404(ObjectivesContract, pk=pk)
    context = {
        "contract": contract,
        "archives": contract.archives.select_related("generated_by"),
        "report_form": ReportForm(contract=contract, initial={"year": selectors.default_year(contract)}),
        "can_edit": permissions.can_edit_objectives(request.user),
    }
    return render(request, "objectives/archive_list.html", context)


@permissions.objectives_read_required
def archive_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An archived report's numbers, and what changed since: current numbers as of the same snapshot."""
    archive = get_object_or_404(ReportArchive.objects.select_related("contract", "generated_by"), pk=pk)
    current = build(
        archive.contract, archive.year, kind=archive.kind, language=archive.language, snapshot=archive.snapshot_date
    )
    context = {
        "archive": archive,
        "contract": archive.contract,
        "indicators": sorted(archive.numbers.get("indicators", {}).items()),
        "differences": selectors.compare_numbers(archive.numbers, current.numbers),
    }
    return render(request, "objectives/archive_detail.html", context)


@permissions.objectives_read_required
def archive_file(request: HttpRequest, pk: int, fmt: str) -> FileResponse:
    archive = get_object_or_404(ReportArchive, pk=pk)
    file = getattr(archive, f"{fmt}_file", None) if fmt in ("pdf", "xlsx") else None
    if not file:
        raise Http404
    return FileResponse(file.open("rb"), as_attachment=True, filename=file.name.rsplit("/", 1)[-1])


# --- staff configuration ------------------------------------------------------------------------


@permissions.objectives_edit_required
def contract_list(request: HttpRequest) -> HttpResponse:
    return render(request, "objectives/contract_list.html", {"contracts": selectors.contract_list()})


def _form_page(request: HttpRequest, form: Any, title: str, back: str) -> HttpResponse:
    return render(request, "objectives/form.html", {"form": form, "title": title, "back": back})


def _apply(form: Any, write: Any) -> bool:
    """Run a service; its ``ValidationError`` goes back onto the form (nothing is saved)."""
    try:
        write()
    except ValidationError as exc:
        for field, errors in exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]:
            form.add_error(field if field in form.fields else None, errors)
        return False
    return True


@permissions.objectives_edit_required
def contract_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    contract = get_object_or_404(ObjectivesContract, pk=pk) if pk else None
    form = ContractForm(request.POST or None, instance=contract)
    if request.method == "POST" and form.is_valid():
        result: dict[str, Any] = {}

        def write() -> None:
            if contract:
                result["contract"] = services.contract_update(
                    actor=request.user, contract=contract, **form.cleaned_data
                )
            else:
                result["contract"] = services.contract_create(actor=request.user, **form.cleaned_data)

        if _apply(form, write):
            messages.success(request, _("Contrat enregistré."))
            return redirect("objectives:contract_detail", pk=result["contract"].pk)
    title = _("Modifier le contrat") if contract else _("Nouveau contrat d'objectifs")
    return _form_page(request, form, title, reverse("objectives:contract_list"))


@permissions.objectives_edit_required
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_object_or_404(ObjectivesContract, pk=pk)
    objectives = contract.objectives.prefetch_related("indicators__targets").order_by("mission", "order", "code")
    return render(request, "objectives/contract_detail.html", {"contract": contract, "objectives": objectives})


@permissions.objectives_edit_required
def objective_edit(request: HttpRequest, contract_pk: int, pk: int | None = None) -> HttpResponse:
    contract = get_object_or_404(ObjectivesContract, pk=contract_pk)
    objective = get_object_or_404(Objective, pk=pk, contract=contract) if pk else None
    form = ObjectiveForm(request.POST or None, instance=objective, contract=contract)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)

        def write() -> None:
            if objective:
                services.objective_update(actor=request.user, objective=objective, **fields)
            else:
                services.objective_create(actor=request.user, contract=contract, **fields)

        if _apply(form, write):
            messages.success(request, _("Objectif enregistré."))
            return redirect("objectives:contract_detail", pk=contract.pk)
    title = _("Modifier l'objectif") if objective else _("Nouvel objectif")
    return _form_page(request, form, title, reverse("objectives:contract_detail", args=[contract.pk]))


@permissions.objectives_edit_required
def indicator_edit(request: HttpRequest, contract_pk: int, pk: int | None = None) -> HttpResponse:
    contract = get_object_or_404(ObjectivesContract, pk=contract_pk)
    indicator = get_object_or_404(Indicator, pk=pk, contract=contract) if pk else None
    form = IndicatorForm(request.POST or None, instance=indicator, contract=contract)
    if request.method == "POST" and form.is_valid():
        fields = form.indicator_fields()

        def write() -> None:
            with transaction.atomic():
                if indicator:
                    saved = services.indicator_update(actor=request.user, indicator=indicator, **fields)
                else:
                    objective = fields.pop("objective")
                    saved = services.indicator_create(actor=request.user, objective=objective, **fields)
                services.targets_set(actor=request.user, indicator=saved, values=form.target_values())

        if _apply(form, write):
            messages.success(request, _("Indicateur enregistré."))
            return redirect("objectives:contract_detail", pk=contract.pk)
    title = _("Modifier l'indicateur") if indicator else _("Nouvel indicateur")
    return _form_page(request, form, title, reverse("objectives:contract_detail", args=[contract.pk]))


@permissions.objectives_edit_required
@require_POST
def indicator_delete(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = get_object_or_404(Indicator, pk=pk)
    contract_pk = indicator.contract_id
    services.indicator_delete(actor=request.user, indicator=indicator)
    messages.success(request, _("Indicateur supprimé."))
    return redirect("objectives:contract_detail", pk=contract_pk)


@permissions.objectives_edit_required
def measurement_edit(request: HttpRequest, indicator_pk: int, pk: int | None = None) -> HttpResponse:
    indicator = get_object_or_404(Indicator.objects.select_related("contract"), pk=indicator_pk)
    measurement = get_object_or_404(Measurement, pk=pk, indicator=indicator) if pk else None
    if indicator.is_computed:
        messages.error(request, _("Cet indicateur est calculé : il ne se saisit pas à la main."))
        return redirect("objectives:indicator_detail", pk=indicator.pk)
    form = MeasurementForm(request.POST or None, request.FILES or None, instance=measurement, indicator=indicator)
    if request.method == "POST" and form.is_valid():
        fields = {k: form.cleaned_data[k] for k in ("year", "quarter", "value", "evidence_link", "note")}
        if form.cleaned_data.get("evidence_file"):
            fields["evidence_file"] = form.cleaned_data["evidence_file"]

        def write() -> None:
            if measurement:
                services.measurement_update(actor=request.user, measurement=measurement, **fields)
            else:
                services.measurement_create(actor=request.user, indicator=indicator, **fields)

        if _apply(form, write):
            messages.success(request, _("Valeur enregistrée."))
            return redirect("objectives:indicator_detail", pk=indicator.pk)
    title = _("Saisir une valeur : %(indicator)s") % {"indicator": indicator}
    return _form_page(request, form, title, reverse("objectives:indicator_detail", args=[indicator.pk]))


@permissions.objectives_edit_required
@require_POST
def measurement_delete(request: HttpRequest, pk: int) -> HttpResponse:
    measurement = get_object_or_404(Measurement, pk=pk)
    indicator_pk = measurement.indicator_id
    services.measurement_delete(actor=request.user, measurement=measurement)
    messages.success(request, _("Valeur supprimée."))
    return redirect("objectives:indicator_detail", pk=indicator_pk)
