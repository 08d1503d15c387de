"""``grappe kbo import PATH [--force]`` · ``grappe kbo stats [--json]`` · ``grappe kbo show NUMBER [--json]``."""

import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grappe.register import selectors
from grappe.register.extract import ExtractError
from grappe.register.importer import import_extract


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]
        # argparse needs a real str for the description (a lazy string breaks ``--help``).
        return _("Registre BCE/KBO : importer un extrait (complet ou mise à jour), statistiques, fiche d'une entité.")

    # The system checks import every URL module (and their views): 2 s before a one-line answer.
    # This command touches the register tables only; ``grappe check`` stays the place for them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser(
            "import", help=gettext_lazy("importer un extrait (zip ou répertoire, complet ou mise à jour)")
        )
        imp.add_argument("path")
        imp.add_argument(
            "--force", action="store_true", help=gettext_lazy("accepter un extrait hors séquence (trou, plus ancien)")
        )
        stats = sub.add_parser("stats", help=gettext_lazy("comptages de l'univers"))
        stats.add_argument("--json", action="store_true")
        show = sub.add_parser("show", help=gettext_lazy("une entreprise ou une unité d'établissement"))
        show.add_argument("number")
        show.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"do_{options['action']}")(options)

    def do_import(self, options: dict[str, Any]) -> None:
        started = time.perf_counter()

        def progress(message: str) -> None:
            self.stderr.write(f"[{time.perf_counter() - started:7.1f}s] {message}")

        try:
            run = import_extract(options["path"], force=options["force"], progress=progress)
        except ExtractError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            _("extrait %(number)s (%(kind)s, %(date)s) importé en %(seconds).1f s : %(counts)s")
            % {
                "number": run.extract_number,
                "kind": run.kind,
                "date": run.snapshot_date,
                "seconds": time.perf_counter() - started,
                "counts": json.dumps(run.counts, sort_keys=True),
            }
        )

    def do_stats(self, options: dict[str, Any]) -> None:
        data = selectors.universe_stats()
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str))
            return
        for key in ("extract_number", "snapshot_date", "enterprises", "establishments", "activities"):
            self.stdout.write(f"{key}: {data[key]}")
        for row in data["by_province"]:
            self.stdout.write(f"  {row['province_nis'] or '-'} {row['province']}: {row['enterprises']}")
        for row in data["by_nace_section"]:
            self.stdout.write(f"  {row['section']} {row['label']}: {row['enterprises']}")

    def do_show(self, options: dict[str, Any]) -> None:
        data = selectors.entity_detail(options["number"])
        if data is None:
            raise CommandError(_("%(number)s : absent de l'univers du registre") % {"number": options["number"]})
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str))
            return
        self.stdout.write(f"{data['number']} {data.get('name', '')}")
        for key, value in data.items():
            if key not in ("number", "name"):
                self.stdout.write(f"  {key}: {value}")
