"""``grappe matchmaking``: the B2B scheduler on its own, JSON in and out.

    grappe matchmaking solve INSTANCE.json [--time-limit SECONDS] [--seed N] [--workers N]
    grappe matchmaking generate --participants N --meetings M --slots S --tables T [--cap C]
                                [--seed K] [--weights unit|mixed] [--output FILE]

``solve`` prints the schedule as JSON on stdout (``-`` reads the instance from stdin). Exit
status: 0 for a schedule, 1 when the instance is infeasible (the JSON then has ``"reasons"``),
2 for bad input (unreadable file, bad JSON, invalid instance): the problems go to stderr as JSON
``{"error": ..., "problems": [{"code", "message", ...culprit ids}]}``, never a traceback.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from grappe.events.scheduling import InstanceError, generate_instance, load_json, solve
from grappe.events.scheduling.instance import _


def _plain(text: str) -> str:
    return text


class Command(BaseCommand):
    help = _("Planifie des rendez-vous B2B à partir d'une instance JSON, ou génère une instance.")

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, parser_class=CommandParser)
        run = actions.add_parser("solve", help=_("Planifier une instance JSON et afficher le résultat en JSON."))
        run.add_argument("instance", help=_("Fichier JSON de l'instance (« - » pour l'entrée standard)."))
        run.add_argument("--time-limit", type=float, default=30.0, help=_("Temps maximal en secondes (30)."))
        run.add_argument("--seed", type=int, default=0, help=_("Graine du solveur (0)."))
        run.add_argument("--workers", type=int, default=None, help=_("Fils de calcul CP-SAT."))
        run.add_argument("--indent", type=int, default=None, help=_("Indentation du JSON produit."))
        gen = actions.add_parser("generate", help=_("Générer une instance aléatoire reproductible."))
        gen.add_argument("--participants", type=int, required=True)
        gen.add_argument("--meetings", type=int, required=True)
        gen.add_argument("--slots", type=int, required=True)
        gen.add_argument("--tables", type=int, required=True)
        gen.add_argument("--cap", type=int, default=None, help=_("max_meetings de chacun (aucun par défaut)."))
        gen.add_argument("--seed", type=int, default=0)
        gen.add_argument("--weights", choices=["unit", "mixed"], default="unit")
        gen.add_argument("--output", default="-", help=_("Fichier à écrire (« - » : sortie standard)."))

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "generate":
            self._generate(options)
        else:
            self._solve(options)

    def _fail(self, payload: dict[str, Any], status: int) -> None:
        self.stderr.write(json.dumps(payload, ensure_ascii=False, indent=2), style_func=_plain)
        sys.exit(status)

    def _solve(self, options: dict[str, Any]) -> None:
        if options["time_limit"] <= 0:
            self._fail(
                {
                    "error": "bad_time_limit",
                    "problems": [{"code": "bad_time_limit", "message": _("--time-limit doit être positif.")}],
                },
                2,
            )
        path = options["instance"]
        try:
            if path == "-":
                text = sys.stdin.read()
            else:
                with open(path, "rb") as handle:
                    text = handle.read()
        except OSError as exc:
            self._fail(
                {
                    "error": "unreadable_file",
                    "problems": [
                        {
                            "code": "unreadable_file",
                            "message": _("Impossible de lire %(path)s : %(error)s")
                            % {"path": path, "error": exc.strerror},
                            "path": path,
                        }
                    ],
                },
                2,
            )
        try:
            result = solve(
                load_json(text), time_limit=options["time_limit"], seed=options["seed"], workers=options["workers"]
            )
        except InstanceError as exc:
            self._fail(exc.as_dict(), 2)
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=options["indent"]), style_func=_plain)
        if result["status"] == "infeasible":
            sys.exit(1)

    def _generate(self, options: dict[str, Any]) -> None:
        for name in ("participants", "meetings", "slots", "tables"):
            if options[name] < 1:
                self._fail(
                    {
                        "error": "bad_argument",
                        "problems": [
                            {
                                "code": "bad_argument",
                                "message": _("--%(name)s doit être un entier positif.") % {"name": name},
                                "argument": name,
                            }
                        ],
                    },
                    2,
                )
        instance = generate_instance(
            participants=options["participants"],
            meetings=options["meetings"],
            slots=options["slots"],
            tables=options["tables"],
            cap=options["cap"],
            seed=options["seed"],
            weights=options["weights"],
        )
        text = json.dumps(instance, ensure_ascii=False)
        if options["output"] == "-":
            self.stdout.write(text, style_func=_plain)
        else:
            with open(options["output"], "w", encoding="utf-8") as handle:
                handle.write(text + "\n")
