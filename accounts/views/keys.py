"""/me/keys/: a user's personal API keys — list, create (the key is shown once), revoke."""

import datetime as dt
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import selectors, services
from accounts.models import LimitPeriod, UserApiKey
from accounts.spending import keys_spending


class KeyLimitsForm(forms.Form):
    spend_limit = forms.DecimalField(
        required=False,
        min_value=Decimal("0.0001"),
        max_value=Decimal("99999999.9999"),
        decimal_places=4,
        label="Spending limit ($)",
        help_text="The most this key may spend; empty for no limit beyond your balance.",
    )
    limit_period = forms.ChoiceField(
        required=False,
        choices=LimitPeriod.choices,
        initial=LimitPeriod.MONTH,
        label="Resets",
        help_text="Days, weeks (from Monday) and months start at 00:00 UTC.",
    )
    expires_on = forms.DateField(
        required=False,
        label="Expires on",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The key stops working at 00:00 UTC that day; empty to keep it until you revoke it.",
    )

    def clean_expires_on(self):
        day = self.cleaned_data["expires_on"]
        if day is not None and day <= timezone.now().astimezone(dt.UTC).date():
            raise forms.ValidationError("Choose a day after today.")
        return day

    def limits(self) -> dict:
        data = self.cleaned_data
        day = data["expires_on"]
        return {
            "spend_limit": data["spend_limit"],
            "limit_period": (data["limit_period"] or LimitPeriod.MONTH)
            if data["spend_limit"] is not None
            else LimitPeriod.NONE,
            "expires_at": dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC) if day else None,
        }


class ApiKeyForm(KeyLimitsForm):
    name = forms.CharField(
        max_length=100,
        help_text="What the key is for, e.g. “laptop” or “CI”: it helps you revoke the right one.",
    )
    field_order = ["name", "spend_limit", "limit_period", "expires_on"]


def get_key_for_user(request, key_id) -> UserApiKey:
    """The signed-in user's key, or 404 for anyone else's: URLs leak nothing."""
    return get_object_or_404(UserApiKey, pk=key_id, user=request.user)


def _list_context(request, form: ApiKeyForm) -> dict:
    api_keys = selectors.user_api_keys(user=request.user)
    active = sum(1 for key in api_keys if key.is_active)
    spending = keys_spending(api_keys=api_keys, now=timezone.now())
    for key in api_keys:
        key.spending = spending[key.pk]
    return {
        "api_keys": api_keys,
        "balance": request.user.credit_balance,
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
            api_key, plain = services.user_api_key_create(
                user=request.user, name=form.cleaned_data["name"], **form.limits()
            )
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


@login_required
@require_http_methods(["GET", "POST"])
def key_limits(request, key_id):
    """Change an active key's spending limit and expiry."""
    api_key = get_key_for_user(request, key_id)
    if not api_key.is_active:
        messages.error(request, f"The key “{api_key.name}” is revoked; its limits no longer matter.")
        return redirect("keys:list")
    initial = {
        "spend_limit": api_key.spend_limit,
        "limit_period": api_key.limit_period if api_key.spend_limit is not None else LimitPeriod.MONTH,
        "expires_on": api_key.expires_at.astimezone(dt.UTC).date() if api_key.expires_at else None,
    }
    form = KeyLimitsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.user_api_key_limits_update(api_key=api_key, **form.limits())
        messages.success(request, f"The limits of “{api_key.name}” are saved.")
        return redirect("keys:list")
    spending = keys_spending(api_keys=[api_key], now=timezone.now())[api_key.pk]
    return render(
        request, "accounts/keys_limits.html", {"api_key": api_key, "form": form, "spending": spending}
    )
