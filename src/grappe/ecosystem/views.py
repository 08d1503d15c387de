"""Staff workspace views of the ecosystem (thin: selectors read, services write)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from grappe.accounts import permissions


@permissions.staff_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    raise NotImplementedError


@permissions.staff_required
def person_list(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


@permissions.staff_required
def membership_list(request: HttpRequest) -> HttpResponse:
    return render(request, "base.html")
