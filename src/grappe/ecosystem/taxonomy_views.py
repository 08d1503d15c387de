"""Taxonomies staff maintain: value chains and their ordered segments, competences (a tree), topics."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.forms import ModelForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from grappe.accounts import permissions
from grappe.ecosystem import taxonomy_services
from grappe.ecosystem.forms import CompetenceForm, SegmentForm, TopicForm, ValueChainForm, add_service_errors
from grappe.ecosystem.models import Competence, Segment, Topic, ValueChain


def _competence_tree(competences: list[Competence]) -> list[tuple[Competence, int]]:
    """Competences in tree order with their depth (parents before children)."""
    children: dict[int | None, list[Competence]] = {}
    for competence in competences:
        children.setdefault(competence.parent_id, []).append(competence)
    ordered: list[tuple[Competence, int]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for competence in sorted(children.get(parent_id, []), key=lambda c: c.name.lower()):
            ordered.append((competence, depth))
            if depth < 20:  # the service forbids cycles; the bound is a safety net
                walk(competence.pk, depth + 1)

    walk(None, 0)
    return ordered


@permissions.taxonomy_required
def taxonomy_index(request: HttpRequest) -> HttpResponse:
    value_chains = ValueChain.objects.prefetch_related(
        Prefetch("segments", queryset=Segment.objects.order_by("order", "name").prefetch_related("nace_codes"))
    )
    return render(
        request,
        "ecosystem/taxonomy_index.html",
        {
            "value_chains": value_chains,
            "competences": _competence_tree(list(Competence.objects.all())),
            "topics": Topic.objects.all(),
        },
    )


_KINDS: dict[str, tuple[type, type[ModelForm], Callable[..., Any], str, Any]] = {
    "value-chain": (
        ValueChain,
        ValueChainForm,
        taxonomy_services.value_chain_save,
        "value_chain",
        gettext_lazy("chaîne de valeur"),
    ),
    "segment": (Segment, SegmentForm, taxonomy_services.segment_save, "segment", gettext_lazy("segment")),
    "competence": (
        Competence,
        CompetenceForm,
        taxonomy_services.competence_save,
        "competence",
        gettext_lazy("compétence"),
    ),
    "topic": (Topic, TopicForm, taxonomy_services.topic_save, "topic", gettext_lazy("thématique")),
}


def _kind(kind: str) -> tuple[type, type[ModelForm], Callable[..., Any], str, Any]:
    if kind not in _KINDS:
        raise Http404
    return _KINDS[kind]


def _service_kwargs(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    if kind == "segment":
        data["nace_codes"] = data.pop("nace_code_list", [])
        data.pop("nace_codes_text", None)
    return data


@permissions.taxonomy_required
def taxonomy_edit(request: HttpRequest, kind: str, pk: int | None = None) -> HttpResponse:
    """Create (no ``pk``) or edit one taxonomy entry of ``kind``."""
    model, form_class, save, argument, label = _kind(kind)
    instance = get_object_or_404(model, pk=pk) if pk else None
    initial = {}
    if kind == "segment" and (chain := request.GET.get("value_chain", "")).isdigit():
        initial["value_chain"] = chain
    form = form_class(request.POST or None, instance=instance, initial=initial)
    if request.method == "POST" and form.is_valid():
        target = model.objects.get(pk=pk) if pk else None
        try:
            save(actor=request.user, **{argument: target}, **_service_kwargs(kind, form.cleaned_data))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Enregistré."))
            return redirect("ecosystem:taxonomy_index")
    return render(
        request,
        "ecosystem/taxonomy_form.html",
        {"form": form, "instance": instance, "kind": kind, "kind_label": label},
    )


@permissions.taxonomy_required
@require_POST
def taxonomy_delete(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    model, *_rest = _kind(kind)
    instance = get_object_or_404(model, pk=pk)
    name = str(instance)
    taxonomy_services.taxonomy_delete(actor=request.user, instance=instance)
    messages.success(request, _("« %(name)s » supprimé.") % {"name": name})
    return redirect("ecosystem:taxonomy_index")
