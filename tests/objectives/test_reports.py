"""Reports: PDF text and XLSX cells carry the right values, failures stay local, archives are reproducible."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook
from pypdf import PdfReader

from grappe.ecosystem import services as eco
from grappe.objectives import selectors, services
from grappe.objectives.computations import indicator, unregister
from grappe.objectives.reports.content import ReportInputError, build
from grappe.objectives.reports.render import render

from .conftest import code_of

pytestmark = pytest.mark.django_db

SNAPSHOT = dt.date(2024, 12, 31)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def sheet_rows(content: bytes, sheet: str) -> list[tuple]:
    return list(load_workbook(io.BytesIO(content), data_only=True)[sheet].iter_rows(values_only=True))


def row_for(rows: list[tuple], code: str) -> tuple:
    return next(r for r in rows if r and r[0] == code)


def test_annual_pdf_shows_values_targets_and_statuses(ecosystem_2024, contract, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "grappe.showcase.selectors", None)  # an app not built yet
    data = build(contract, 2024, snapshot=SNAPSHOT)
    text = pdf_text(render(data, "pdf").content)
    members = code_of(contract, "ecosystem.members_at_year_end")
    joins = code_of(contract, "ecosystem.member_joins")
    assert "Rapport d'activité 2024" in text
    assert "Données arrêtées au 31/12/2024" in text
    lines = text.splitlines()
    assert any(line.startswith(members) and "4 4 atteint" in line for line in lines), text
    assert any(line.startswith(joins) and "5 3 à risque" in line for line in lines)
    assert any("50 en bonne voie" in line for line in lines)  # SME share 50 % vs 54
    stories = code_of(contract, "showcase.stories")
    assert any(line.startswith(stories) and line.endswith("pas de données") for line in lines)  # declared, not zero


def test_annual_pdf_in_english_uses_english_labels_and_numbers(ecosystem_2024, contract):
    text = pdf_text(render(build(contract, 2024, snapshot=SNAPSHOT, language="en"), "pdf").content)
    assert "Data as of 31/12/2024" in text or "31/12/2024" in text


def test_annual_xlsx_has_one_sheet_per_mission_and_evidence_sheets(ecosystem_2024, contract):
    content = render(build(contract, 2024, snapshot=SNAPSHOT), "xlsx").content
    workbook = load_workbook(io.BytesIO(content))
    assert {"Synthèse", "Mission 1", "Mission 2", "Mission 3", "Mission 4", "Gouvernance", "Preuves M1"} <= set(
        workbook.sheetnames
    )
    members = row_for(sheet_rows(content, "Mission 1"), code_of(contract, "ecosystem.members_at_year_end"))
    assert members[3:7] == (4, 4, 100, "atteint")
    sme = row_for(sheet_rows(content, "Mission 1"), code_of(contract, "ecosystem.sme_share"))
    assert (sme[3], sme[4], sme[6]) == (54, 50, "en bonne voie")
    evidence = [r for r in sheet_rows(content, "Preuves M1") if r[0] == code_of(contract, "ecosystem.member_exits")]
    assert sorted(r[3] for r in evidence) == ["Centre R", "Epsilon"]


def test_a_failing_indicator_is_an_error_row_while_the_others_compute(ecosystem_2024, contract, staff_user):
    @indicator("test.explodes", mission=1, unit="x", label="x", definition="x")
    def explodes(period):
        raise RuntimeError("boom")

    try:
        objective = contract.objectives.get(code="O1")
        services.indicator_create(
            actor=staff_user,
            objective=objective,
            code="BOOM",
            label="Indicateur qui échoue",
            computation_key="test.explodes",
        )
        data = build(contract, 2024, snapshot=SNAPSHOT)
        xlsx = render(data, "xlsx").content
        pdf = pdf_text(render(data, "pdf").content)
    finally:
        unregister("test.explodes")
    rows = sheet_rows(xlsx, "Synthèse")
    assert row_for(rows, "BOOM")[6] == "erreur"
    assert "RuntimeError: boom" in row_for(rows, "BOOM")[8]
    assert row_for(rows, code_of(contract, "ecosystem.members_at_year_end"))[4] == 4
    assert "BOOM : calcul en erreur (RuntimeError: boom)" in pdf


def test_midterm_report_lists_every_contract_year(ecosystem_2024, contract):
    data = build(contract, 2025, kind="mid_term", snapshot=dt.date(2025, 12, 31))
    rows = sheet_rows(render(data, "xlsx").content, "Années du contrat")
    assert rows[0][2:4] == ("2023 réalisé", "2024 réalisé")
    members = row_for(rows, code_of(contract, "ecosystem.members_at_year_end"))
    assert members[2:5] == (3, 4, 5)  # 2023: Alpha, Centre R, Delta; 2025: + Foxtrot
    assert "2023" in pdf_text(render(data, "pdf").content)


def test_eccp_export_counts_members_by_type(ecosystem_2024, contract):
    rows = sheet_rows(render(build(contract, 2024, kind="eccp", snapshot=SNAPSHOT), "xlsx").content, "ECCP")
    counts = {r[0]: r[1] for r in rows[5:10]}
    assert list(counts.values()) == [2, 1, 0, 1, 4]  # SMEs Alpha+Delta, large Bêta, research 0, other Hôtel


def test_esca_sheet_groups_indicators_and_says_no_data(ecosystem_2024, contract, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "grappe.innovation.selectors", None)
    rows = sheet_rows(render(build(contract, 2024, kind="esca", snapshot=SNAPSHOT), "xlsx").content, "ESCA")
    by_key = {r[4]: r for r in rows if r[4]}
    assert by_key["ecosystem.members_at_year_end"][2] == 4
    assert by_key["innovation.projects_funded"][2] == "pas de données"


def test_pdf_format_is_refused_for_the_eccp_export(ecosystem_2024, contract):
    with pytest.raises(ReportInputError, match="format « pdf »"):
        render(build(contract, 2024, kind="eccp"), "pdf")


def test_year_outside_the_contract_is_refused_with_the_contract_years(contract):
    with pytest.raises(ReportInputError, match=r"2030 est hors du contrat .*2023-2026"):
        build(contract, 2030)


def test_archive_then_regenerate_gives_the_same_numbers(ecosystem_2024, contract, staff_user):
    archive = services.report_archive(actor=staff_user, contract=contract, year=2024, snapshot_date=SNAPSHOT)
    assert archive.pdf_file and archive.xlsx_file
    again = build(contract, 2024, snapshot=SNAPSHOT)
    assert again.numbers == archive.numbers
    assert selectors.compare_numbers(archive.numbers, again.numbers) == []


def test_a_later_correction_shows_as_a_difference_from_the_archive(ecosystem_2024, contract, staff_user):
    archive = services.report_archive(actor=staff_user, contract=contract, year=2024, snapshot_date=SNAPSHOT)
    late = eco.organisation_create(actor=None, name="Retardataire", kind="company", headcount_band="1-4")
    eco.membership_create(actor=None, organisation=late, start_date=dt.date(2024, 11, 1))
    differences = {
        d.code: d for d in selectors.compare_numbers(archive.numbers, build(contract, 2024, snapshot=SNAPSHOT).numbers)
    }
    members = differences[code_of(contract, "ecosystem.members_at_year_end")]
    assert (members.archived, members.current, members.delta) == ("4", "5", Decimal(1))
    assert code_of(contract, "ecosystem.member_exits") not in differences


def test_report_command_writes_the_file(ecosystem_2024, contract, tmp_path):
    output = tmp_path / "rapport.xlsx"
    call_command(
        "report", "annual", "--year", "2024", "--format", "xlsx", "--output", str(output), "--snapshot", "2024-12-31"
    )
    rows = sheet_rows(output.read_bytes(), "Synthèse")
    assert row_for(rows, code_of(contract, "ecosystem.members_at_year_end"))[4] == 4


def test_report_command_exits_2_for_a_year_outside_the_contract(contract, tmp_path):
    with pytest.raises(CommandError, match="2031 est hors du contrat") as error:
        call_command("report", "annual", "--year", "2031", "--output", str(tmp_path / "x.pdf"))
    assert error.value.returncode == 2
    assert not (tmp_path / "x.pdf").exists()


def test_report_command_exits_2_for_an_unknown_format_or_language(contract, tmp_path):
    with pytest.raises(CommandError, match="format « docx »") as error:
        call_command("report", "annual", "--year", "2024", "--format", "docx", "--output", str(tmp_path / "x"))
    assert error.value.returncode == 2
    with pytest.raises(CommandError, match="Langue inconnue") as error:
        call_command("report", "annual", "--year", "2024", "--language", "es", "--output", str(tmp_path / "x"))
    assert error.value.returncode == 2


def test_report_command_help_is_readable_in_the_active_language():
    from django.utils import translation

    from grappe.objectives.management.commands.report import Command

    with translation.override("fr"):
        text = Command().create_parser("grappe", "report").format_help()
    assert "Produire un rapport du contrat d'objectifs" in text
    assert "--output" in text and "le fichier à écrire" in text


def test_report_command_says_which_snapshot_date_is_not_a_date(contract, tmp_path):
    with pytest.raises(CommandError) as error:
        call_command("report", "annual", "--year", "2024", "--output", str(tmp_path / "r.pdf"), "--snapshot", "31/12")
    assert error.value.returncode == 2
    assert "31/12" in str(error.value)
