"""/dashboard/models/…: the developer's listings, their keys and their status changes.

Every view starts with the access helper, so anyone but the owning, active developer gets 404 before
anything is read or written.
"""

import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.utils.safestring import SafeString
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalog import services
from catalog.access import get_active_developer, get_model_for_developer, own_models
from catalog.forms import (
    KeyRotateForm,
    ModelCreateForm,
    ModelDeleteForm,
    ModelListingForm,
    api_name_taken,
    validate_api_name,
)
from catalog.models import AIModel, ModelStatus
from core.forms import add_constraint_error, add_validation_error
from core.markdown import render_markdown
from dashboard import selectors
from dashboard import services as dashboard_services
from dashboard.forms import DeprecationForm


@require_GET
def model_list(request):
    developer = get_active_developer(request)
    return render(
        request, "dashboard/model_list.html", {"developer": developer, "models": own_models(developer)}
    )


def _is_preview(request) -> bool:
    """The form was sent with its Preview button: draw the model card, save nothing."""
    return request.method == "POST" and "preview" in request.POST


def _as_typed(form_class, data, **kwargs):
    """An unbound form showing what was typed (every field, multiple choices included), so a preview
    loses nothing and flags no error in a form its author has not finished."""
    blank = form_class(**kwargs)
    typed = {
        name: field.widget.value_from_datadict(data, None, blank.add_prefix(name))
        for name, field in blank.fields.items()
    }
    return form_class(initial=typed, **kwargs)


def _card_preview(text: str) -> SafeString:
    # Its headings start at <h3>, under the preview's own <h2>.
    return render_markdown(text, heading_level=3, lift_headings=True)


@never_cache
@require_http_methods(["GET", "POST"])
def model_create(request):
    developer = get_active_developer(request)
    if _is_preview(request):
        form = _as_typed(ModelCreateForm, request.POST)
        preview = _card_preview(request.POST.get("description", ""))
        return render(
            request, "dashboard/model_form.html", {"form": form, "creating": True, "preview": preview}
        )
    form = ModelCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            model, key = services.model_create(developer=developer, **form.cleaned_data)
        except ValidationError as error:
            add_validation_error(form, error)
        except IntegrityError as error:
            add_constraint_error(form, error)
        else:
            messages.success(request, f"{model.display_name} was created and is waiting for staff review.")
            # The plain key exists only in this response: it is never stored, so it cannot be shown again.
            return render(request, "dashboard/model_key.html", {"model": model, "key": key, "created": True})
    return render(request, "dashboard/model_form.html", {"form": form, "creating": True})


@require_POST
def description_preview(request):
    """The model card a description makes, for the Preview button of the model forms (htmx)."""
    get_active_developer(request)
    text = request.POST.get("description", "")
    return render(request, "dashboard/_description_preview.html", {"preview": _card_preview(text)})


@require_GET
def api_name_check(request):
    """As-you-type answer for the create form (htmx): is this api_name well formed and free?"""
    get_active_developer(request)
    value = request.GET.get("api_name", "").strip()
    state, message = "empty", ""
    if value:
        try:
            validate_api_name(value)
        except ValidationError as error:
            state, message = "invalid", " ".join(error.messages)
        else:
            state = "taken" if api_name_taken(value) else "available"
    return render(
        request, "dashboard/_api_name_status.html", {"state": state, "message": message, "value": value}
    )


@require_GET
def model_detail(request, api_name):
    model = get_model_for_developer(request, api_name)
    return render(request, "dashboard/model_detail.html", {"model": model, "statuses": ModelStatus})


@require_http_methods(["GET", "POST"])
def model_edit(request, api_name):
    model = get_model_for_developer(request, api_name)
    if _is_preview(request):
        form = _as_typed(ModelListingForm, request.POST, instance=copy.copy(model))
        preview = _card_preview(request.POST.get("description", ""))
        context = {"form": form, "model": model, "creating": False, "preview": preview}
        return render(request, "dashboard/model_form.html", context)
    # The form works on a copy, so a refused edit never shows its rejected values as the model's own.
    form = ModelListingForm(request.POST if request.method == "POST" else None, instance=copy.copy(model))
    if request.method == "POST" and form.is_valid():
        try:
            services.model_update(model=model, **form.cleaned_data)
        except ValidationError as error:
            add_validation_error(form, error)
        except IntegrityError as error:
            add_constraint_error(form, error)
        else:
            messages.success(request, f"{model.display_name} was saved.")
            return redirect("dashboard:model_detail", api_name=model.api_name)
    return render(request, "dashboard/model_form.html", {"form": form, "model": model, "creating": False})


def _change_status(request, api_name: str, service, done: str):
    model = get_model_for_developer(request, api_name)
    try:
        service(model=model)
    except services.ModelStatusError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done.format(name=model.display_name))
    return redirect("dashboard:model_detail", api_name=model.api_name)


@require_POST
def model_deactivate(request, api_name):
    return _change_status(
        request, api_name, services.model_deactivate, "{name} is inactive: it is no longer served."
    )


@require_POST
def model_reactivate(request, api_name):
    return _change_status(
        request,
        api_name,
        services.model_reactivate,
        "{name} is back under review: staff will approve it before it is served again.",
    )


@never_cache
@require_http_methods(["GET", "POST"])
def model_deprecate(request, api_name):
    """Deprecate an active model with notice, or change the notice of one whose sunset is ahead."""
    model = get_model_for_developer(request, api_name)
    changing = model.sunset_ahead
    if model.status != ModelStatus.ACTIVE and not changing:
        messages.error(request, f"A model that is {model.get_status_display().lower()} cannot be deprecated.")
        return redirect("dashboard:model_detail", api_name=model.api_name)
    users = selectors.model_user_count(model=model)
    form = DeprecationForm(request.POST if request.method == "POST" else None, model=model, users=users)
    if request.method == "POST" and form.is_valid():
        fields = {
            "sunset_at": form.sunset_at,
            "replacement": form.cleaned_data["replacement"],
            "note": form.cleaned_data["note"],
        }
        try:
            if changing:
                moved = dashboard_services.model_deprecation_change(model=model, **fields)
            else:
                dashboard_services.model_deprecate(model=model, **fields)
        except ValidationError as error:
            add_validation_error(form, error)
        except IntegrityError as error:
            add_constraint_error(form, error)
        except services.ModelStatusError as error:
            messages.error(request, str(error))
            return redirect("dashboard:model_detail", api_name=model.api_name)
        else:
            day = f"{form.cleaned_data['sunset_date']:%Y-%m-%d}"
            if not changing:
                told = f" Its {users} user{'s are' if users != 1 else ' is'} being told." if users else ""
                done = f"{model.display_name} is deprecated: it answers until {day}, then 410 Gone.{told}"
            elif moved:
                done = f"The sunset of {model.display_name} moved to {day}; its users are being told."
            else:
                done = f"The deprecation notice of {model.display_name} was saved."
            messages.success(request, done)
            return redirect("dashboard:model_detail", api_name=model.api_name)
    context = {
        "model": model,
        "form": form,
        "changing": changing,
        "users": users,
        "candidates": own_replacement_candidates(model),
    }
    return render(request, "dashboard/model_deprecate.html", context)


@require_POST
def model_undeprecate(request, api_name):
    return _change_status(
        request,
        api_name,
        services.model_undeprecate,
        "{name} is active again: its deprecation is undone.",
    )


def own_replacement_candidates(model: AIModel) -> list[AIModel]:
    """The developer's other models that may replace this one, suggested under the replacement field."""
    return list(
        services.replacement_candidates()
        .filter(developer_id=model.developer_id)
        .exclude(pk=model.pk)
        .only("model_id", "api_name", "display_name")
        .order_by("display_name")[:50]
    )


@require_http_methods(["GET", "POST"])
def model_delete(request, api_name):
    model = get_model_for_developer(request, api_name)
    form = ModelDeleteForm(request.POST if request.method == "POST" else None, model=model)
    if request.method == "POST" and form.is_valid():
        services.model_delete(model=model)
        messages.success(request, f"{model.display_name} and everything recorded about it were deleted.")
        return redirect("dashboard:models")
    impact = selectors.model_deletion_impact(model=model)
    return render(request, "dashboard/model_delete.html", {"model": model, "form": form, "impact": impact})


@never_cache
@require_http_methods(["GET", "POST"])
def model_key_rotate(request, api_name):
    model = get_model_for_developer(request, api_name)
    form = KeyRotateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        key = services.model_api_key_rotate(model=model)
        messages.success(request, "The old key has stopped working. Copy the new one now.")
        return render(request, "dashboard/model_key.html", {"model": model, "key": key, "created": False})
    return render(request, "dashboard/model_key_rotate.html", {"model": model, "form": form})
