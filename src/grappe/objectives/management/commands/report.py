"""``grappe report annual|midterm|eccp|esca --year YYYY --format pdf|xlsx --output FILE``.

Bad input (a year outside the contract, an unknown format or language, no contract) ends with exit
status 2 and a message; an indicator whose computation fails is reported as "error" in the file
and listed on stderr, never stopping the report.
"""

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grappe.objectives import selectors, services
from grappe.objectives.models import ObjectivesContract, ReportArchive
from grappe.objectives.reports.content import ReportInputError, build
from grappe.objectives.reports.render import check_format, render

KINDS = {
    "annual": ReportArchive.Kind.ANNUAL,
    "midterm": ReportArchive.Kind.MID_TERM,
    "eccp": ReportArchive.Kind.ECCP,
    "esca": ReportArchive.Kind.ESCA,
}


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(
            _("--snapshot : « %(value)s » n'est pas une date (AAAA-MM-JJ).") % {"value": value}, returncode=2
        ) from exc


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]
        # argparse needs a real str for the description (a lazy string breaks ``--help``).
        return _("Produire un rapport du contrat d'objectifs (annuel, mi-parcours, profil ECCP, fiche ESCA).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=sorted(KINDS), help=gettext_lazy("annual, midterm, eccp ou esca"))
        parser.add_argument("--year", type=int, required=True, help=gettext_lazy("l'année du contrat"))
        parser.add_argument(
            "--format", dest="fmt", default=None, help=gettext_lazy("pdf ou xlsx (eccp et esca : xlsx)")
        )
        parser.add_argument("--output", required=True, help=gettext_lazy("le fichier à écrire"))
        parser.add_argument("--language", default="fr", help=gettext_lazy("fr (par défaut), en, nl ou de"))
        parser.add_argument(
            "--contract", type=int, default=None, help=gettext_lazy("n° du contrat (par défaut : le contrat en cours)")
        )
        parser.add_argument(
            "--snapshot",
            type=_date,
            default=None,
            help=gettext_lazy("lire les données arrêtées à cette date (AAAA-MM-JJ)"),
        )
        parser.add_argument(
            "--archive", action="store_true", help=gettext_lazy("archiver aussi le rapport et ses chiffres")
        )

    def handle(self, *args, kind: str, year: int, fmt: str | None, output: str, **options) -> None:
        report_kind = KINDS[kind]
        fmt = fmt or ("xlsx" if report_kind in (ReportArchive.Kind.ECCP, ReportArchive.Kind.ESCA) else "pdf")
        contract = self._contract(options["contract"])
        try:
            check_format(report_kind, fmt)
            data = build(contract, year, kind=report_kind, language=options["language"], snapshot=options["snapshot"])
        except ReportInputError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        for row in data.rows:
            if row.status == selectors.Status.ERROR:
                self.stderr.write(f"{row.indicator.code} ({row.indicator.computation_key}): {row.note}")
        file = render(data, fmt)
        path = Path(output)
        if not path.parent.exists():
            raise CommandError(
                _("--output : le dossier %(folder)s n'existe pas.") % {"folder": path.parent}, returncode=2
            )
        path.write_bytes(file.content)
        self.stdout.write(
            _("%(path)s (%(size)s octets, %(n)s indicateurs)")
            % {"path": path, "size": len(file.content), "n": len(data.rows)}
        )
        if options["archive"]:
            archive = services.report_archive(
                actor=None,
                contract=contract,
                year=year,
                kind=report_kind,
                language=options["language"],
                snapshot_date=data.snapshot,
            )
            self.stdout.write(_("archivé sous le n° %(pk)s") % {"pk": archive.pk})

    def _contract(self, pk: int | None) -> ObjectivesContract:
        if pk is not None:
            contract = ObjectivesContract.objects.filter(pk=pk).first()
            if contract is None:
                raise CommandError(_("Aucun contrat d'objectifs n° %(pk)s.") % {"pk": pk}, returncode=2)
            return contract
        contract = selectors.current_contract()
        if contract is None:
            raise CommandError(_("Aucun contrat d'objectifs n'est enregistré."), returncode=2)
        return contract
