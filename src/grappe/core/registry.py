"""Small registries that let mission apps plug into shared pages without being imported by them.

Apps register in their ``AppConfig.ready()``:

- ``register_staff_menu(label, url_name, order)``: an entry in the staff navigation;
- ``register_organisation_panel(label, url_name, order)``: a panel on each organisation page,
  loaded with htmx from ``reverse(url_name, args=[organisation.pk])`` (the app's own view, which
  applies its own permission rules);
- ``register_portal_menu(label, url_name, order)``: a service listed on the member portal's home;
- ``register_demo(app_label, loader, order)``: a callable ``loader(stdout)`` run by ``grappe demo``;
- ``register_periodic(key, task, every, description)``: a Django task (no arguments) that the
  scheduler of ``grappe worker`` enqueues every ``every``, once per period across all workers;
- ``register_retry(task, attempts=, backoff=)``: how often ``grappe worker`` runs a task that raised
  or whose worker died, and how long it waits before each new attempt (default: the
  ``GRAPPE_TASK_MAX_ATTEMPTS`` and ``GRAPPE_TASK_RETRY_BACKOFF_SECONDS`` settings). ``attempts=1``
  for a task that must never run twice (it sends things one by one without recording them).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class MenuItem:
    label: Any
    url_name: str
    order: int


@dataclass(frozen=True)
class Panel:
    label: Any
    url_name: str
    order: int
    staff_only: bool


@dataclass(frozen=True)
class DemoLoader:
    app_label: str
    loader: Callable[..., None]
    order: int


_staff_menu: dict[str, MenuItem] = {}
_portal_menu: dict[str, MenuItem] = {}
_panels: dict[str, Panel] = {}
_demos: dict[str, DemoLoader] = {}


def register_staff_menu(label: Any, url_name: str, order: int = 100) -> None:
    _staff_menu[url_name] = MenuItem(label, url_name, order)


def staff_menu() -> list[dict[str, Any]]:
    items = []
    for item in sorted(_staff_menu.values(), key=lambda i: i.order):
        try:
            items.append({"label": item.label, "url": reverse(item.url_name)})
        except NoReverseMatch:
            continue
    return items


def register_portal_menu(label: Any, url_name: str, order: int = 100) -> None:
    _portal_menu[url_name] = MenuItem(label, url_name, order)


def portal_menu() -> list[dict[str, Any]]:
    items = []
    for item in sorted(_portal_menu.values(), key=lambda i: i.order):
        try:
            items.append({"label": item.label, "url": reverse(item.url_name)})
        except NoReverseMatch:
            continue
    return items


def register_organisation_panel(label: Any, url_name: str, order: int = 100, *, staff_only: bool = False) -> None:
    _panels[url_name] = Panel(label, url_name, order, staff_only)


def organisation_panels(*, staff: bool) -> list[Panel]:
    return [p for p in sorted(_panels.values(), key=lambda p: p.order) if staff or not p.staff_only]


def register_demo(app_label: str, loader: Callable[..., None], order: int = 100) -> None:
    _demos[app_label] = DemoLoader(app_label, loader, order)


def demo_loaders() -> list[DemoLoader]:
    return sorted(_demos.values(), key=lambda d: d.order)


@dataclass(frozen=True)
class PeriodicJob:
    key: str
    task: Any
    every: timedelta
    description: Any


_periodic: dict[str, PeriodicJob] = {}


def register_periodic(key: str, task: Any, every: timedelta, description: Any = "") -> None:
    """Declare ``task`` (a ``django.tasks`` Task taking no arguments) to run every ``every``."""
    if every <= timedelta(0):
        raise ValueError("A periodic job needs a positive period.")
    _periodic[key] = PeriodicJob(key, task, every, description)


def periodic_jobs() -> list[PeriodicJob]:
    return sorted(_periodic.values(), key=lambda j: j.key)


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int
    backoff: timedelta
    factor: int = 4

    def delay(self, attempt: int) -> timedelta:
        """Wait after failed attempt ``attempt`` (1, 2, ...): ``backoff``, then ``factor`` times longer each time."""
        return self.backoff * self.factor ** max(attempt - 1, 0)


_retry: dict[str, tuple[int, timedelta | None, int]] = {}


def register_retry(task: Any, *, attempts: int, backoff: timedelta | None = None, factor: int = 4) -> None:
    """Declare how ``grappe worker`` retries ``task`` (a ``django.tasks`` Task): at most ``attempts`` runs,
    waiting ``backoff`` (default: the setting), then ``factor`` times longer, between them."""
    if attempts < 1:
        raise ValueError("A task runs at least once.")
    if backoff is not None and backoff < timedelta(0):
        raise ValueError("A backoff cannot be negative.")
    _retry[task.module_path] = (attempts, backoff, factor)


def retry_policy(task_path: str) -> RetryPolicy:
    """The declared policy of the task at ``task_path``, else the settings' default (read now, not at import)."""
    from django.conf import settings

    default_attempts = int(getattr(settings, "GRAPPE_TASK_MAX_ATTEMPTS", 3))
    default_backoff = timedelta(seconds=int(getattr(settings, "GRAPPE_TASK_RETRY_BACKOFF_SECONDS", 60)))
    attempts, backoff, factor = _retry.get(task_path, (default_attempts, None, 4))
    return RetryPolicy(attempts, backoff if backoff is not None else default_backoff, factor)
