"""Registered indicator computations, one module per app they read.

``registry()`` imports the catalogue modules on first use (they import nothing from other apps at
import time), so importing this package is cheap and never fails because an app is not built.
"""

import importlib

from grappe.objectives.computations.base import (
    Breakdown,
    Computation,
    Evaluation,
    Period,
    Result,
    SelectorMissing,
    evaluate,
    indicator,
    selector,
    unregister,
)

CATALOGUE_MODULES = ("ecosystem", "insights", "watch", "events", "partnerships", "showcase", "innovation")

__all__ = [
    "CATALOGUE_MODULES",
    "Breakdown",
    "Computation",
    "Evaluation",
    "Period",
    "Result",
    "SelectorMissing",
    "evaluate",
    "indicator",
    "registry",
    "selector",
    "unregister",
]

_loaded = False


def registry() -> dict[str, Computation]:
    """Every registered computation by key (the catalogue, plus any registered at run time)."""
    global _loaded
    if not _loaded:
        for name in CATALOGUE_MODULES:
            importlib.import_module(f"grappe.objectives.computations.{name}")
        _loaded = True
    from grappe.objectives.computations.base import _registry

    return dict(_registry)
