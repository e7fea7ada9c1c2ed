"""A user changes their email address: the request on /me/email/, the confirmation from the mailed link,
and cancelling a pending change (accounts.services.email_change)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from accounts import throttling, tokens
from accounts.forms import EmailChangeForm
from accounts.services import email_change as service


def _context(form: EmailChangeForm) -> dict:
    return {"form": form, "expiry_hours": int(tokens.email_change_max_age().total_seconds() // 3600)}


@login_required
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def email_change(request):
    user = request.user
    form = EmailChangeForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        refusal = throttling.email_change_refusal(request, user)
        if refusal:
            form.add_error(None, refusal)
            return render(request, "accounts/email_change.html", _context(form), status=429)
        try:
            service.email_change_request(user=user, new_email=form.cleaned_data["email"], request=request)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                f"We sent a link to {user.pending_email}. Your address stays {user.email} until you follow it.",
            )
            return redirect("me:profile")
    return render(request, "accounts/email_change.html", _context(form))


@login_required
@require_POST
def email_change_cancel(request):
    if service.email_change_cancel(user=request.user):
        messages.info(request, "The change of your email address is cancelled; its link no longer works.")
    return redirect("me:profile")


@require_http_methods(["GET", "POST"])
def email_change_confirm(request, token: str):
    """GET shows the new address and a button; only the POST changes it (mail scanners fetch links)."""
    if request.method == "POST":
        act = lambda: service.email_change_confirm(token=token, request=request)  # noqa: E731
    else:
        act = lambda: service.email_change_for_token(token=token)  # noqa: E731
    try:
        user = act()
    except tokens.ExpiredToken:
        return render(request, "accounts/email_change_invalid.html", {"reason": "expired"}, status=400)
    except tokens.InvalidToken:
        return render(request, "accounts/email_change_invalid.html", {"reason": "invalid"}, status=400)
    except service.EmailChangeNotPending:
        return render(request, "accounts/email_change_invalid.html", {"reason": "used"}, status=400)
    except service.EmailTaken:
        return render(request, "accounts/email_change_invalid.html", {"reason": "taken"}, status=409)
    if request.method == "GET":
        return render(request, "accounts/email_change_confirm.html", {"new_email": user.pending_email})
    messages.success(request, f"Your email address is now {user.email}.")
    if request.user.is_authenticated and request.user.pk == user.pk:
        return redirect("me:profile")
    return redirect(f"{reverse('accounts:login')}?next={reverse('me:profile')}")
