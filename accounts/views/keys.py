"""/me/keys/: a user's personal API keys — list, create (the key is shown once), revoke."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import selectors, services
from accounts.models import UserApiKey


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        help_text="What the key is for, e.g. “laptop” or “CI”: it helps you revoke the right one.",
    )


def get_key_for_user(request, key_id) -> UserApiKey:
    """The signed-in user's key, or 404 for anyone else's: URLs leak nothing."""
    return get_object_or_404(UserApiKey, pk=key_id, user=request.user)


def _list_context(request, form: ApiKeyForm) -> dict:
    api_keys = selectors.user_api_keys(user=request.user)
    active = sum(1 for key in api_keys if key.is_active)
    return {
        "api_keys": api_keys,
        "form": form,
        "can_create": request.user.is_verified,
        "at_limit": active >= services.MAX_ACTIVE_KEYS,
        "active_count": active,
        "max_keys": services.MAX_ACTIVE_KEYS,
    }


@login_required
@require_GET
def key_list(request):
    return render(request, "accounts/keys.html", _list_context(request, ApiKeyForm()))


@never_cache
@login_required
@require_POST
def key_create(request):
    if not request.user.is_verified:
        raise PermissionDenied("Verify your email address before creating API keys.")
    form = ApiKeyForm(request.POST)
    if form.is_valid():
        try:
            api_key, plain = services.user_api_key_create(user=request.user, name=form.cleaned_data["name"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            # Rendered, not redirected: the plain key lives only in this (never cached) response, not in a
            # session or anywhere else.
            return render(request, "accounts/keys_created.html", {"api_key": api_key, "plain_key": plain})
    return render(request, "accounts/keys.html", _list_context(request, form))


@login_required
@require_http_methods(["GET", "POST"])
def key_revoke(request, key_id):
    api_key = get_key_for_user(request, key_id)
    if request.method == "POST":
        if api_key.is_active:
            services.user_api_key_revoke(api_key=api_key)
            messages.success(request, f"The key “{api_key.name}” is revoked; calls with it now get 401.")
        return redirect("keys:list")
    return render(request, "accounts/keys_revoke.html", {"api_key": api_key})
