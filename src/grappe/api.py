"""The REST API `/api/v1/`: one NinjaAPI; each app's `api.py` exposing `router` is mounted at `/<app>/`."""

from importlib import import_module
from importlib.util import find_spec

from ninja import NinjaAPI

api = NinjaAPI(
    title="Grappe API",
    version="1",
    urls_namespace="api",
    description="REST API of a Grappe cluster instance. Staff and member users authenticate with personal tokens.",
)

for _app in [
    "accounts",
    "referential",
    "register",
    "ecosystem",
    "watch",
    "events",
    "partnerships",
    "showcase",
    "innovation",
    "insights",
    "objectives",
]:
    if find_spec(f"grappe.{_app}.api") is not None:
        module = import_module(f"grappe.{_app}.api")
        router = getattr(module, "router", None)
        if router is not None:
            api.add_router(f"/{_app}/", router)
