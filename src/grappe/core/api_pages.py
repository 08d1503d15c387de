"""Page pagination shared by the API routers: bounded parameters, one schema shape, 404 past the end."""

import math
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from ninja import Field, Schema

from grappe.core.api_auth import ApiError


class PageParams(Schema):
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(50, ge=1, le=200)


def page_schema(item: type[Schema], name: str) -> type[Schema]:
    """``{count, page, pages, results: [item]}`` under a name unique in the OpenAPI document."""
    return type(name, (Schema,), {"__annotations__": {"count": int, "page": int, "pages": int, "results": list[item]}})


def list_schema(item: type[Schema], name: str) -> type[Schema]:
    """``{results: [item]}`` for short, unpaginated lists."""
    return type(name, (Schema,), {"__annotations__": {"results": list[item]}})


def paginate(queryset: QuerySet, params: PageParams) -> tuple[list[Any], dict[str, int]]:
    """The rows of the requested page and the page fields; a page past the end is a 404 with a reason."""
    count = queryset.count()
    pages = max(1, math.ceil(count / params.page_size))
    if params.page > pages:
        raise ApiError(404, "page_out_of_range", _("page : au plus %(pages)s.") % {"pages": pages})
    start = (params.page - 1) * params.page_size
    return list(queryset[start : start + params.page_size]), {"count": count, "page": params.page, "pages": pages}
