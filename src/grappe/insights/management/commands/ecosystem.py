"""``grappe ecosystem representativeness [--json] [--date YYYY-MM-DD] [--segment ID ...]``."""

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from grappe.insights.representativeness import compute


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f} %"


class Command(BaseCommand):
    help = "Vision de l'écosystème : représentativité des membres par rapport à l'univers du registre."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        rep = sub.add_parser("representativeness", help="représentativité des membres à une date")
        rep.add_argument("--json", action="store_true", help="sortie JSON")
        rep.add_argument("--date", help="date (AAAA-MM-JJ), aujourd'hui par défaut")
        rep.add_argument("--segment", type=int, action="append", help="limiter à ce segment (id), répétable")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"do_{options['action']}")(options)

    def do_representativeness(self, options: dict[str, Any]) -> None:
        day = dt.date.today()
        if options.get("date"):
            try:
                day = dt.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(f"--date : date invalide « {options['date']} » (attendu AAAA-MM-JJ)") from exc
        report = compute(day, segment_ids=options.get("segment"))
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2, default=str))
            return
        self.stdout.write(f"Date : {report['date']}")
        self.stdout.write(f"Indice de représentativité : {_pct(report['index'])}")
        self.stdout.write(
            f"Membres dans le périmètre : {report['members_in_perimeter']} / univers {report['universe']}"
            f" (couverture {_pct(report['coverage'])})"
        )
        for note in report["notes"]:
            self.stdout.write(f"! {note}")
        for breakdown in report["breakdowns"].values():
            self.stdout.write(f"\n{breakdown['label']} (indice {_pct(breakdown['index'])})")
            for cell in breakdown["cells"]:
                residual = "" if cell["residual"] is None else f"{cell['residual']:+.2f}"
                flag = " *" if cell["significant"] else ""
                universe = "—" if cell["universe"] is None else cell["universe"]
                self.stdout.write(
                    f"  {cell['label'][:50]:50} {cell['members']:6} {universe:>8}"
                    f" {_pct(cell['coverage']):>8} {residual:>7}{flag}"
                )
