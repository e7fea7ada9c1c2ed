"""Sign-up, sign-in, sign-out, email verification and the lockout page."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from accounts import services, throttling, tokens
from accounts.forms import PasswordResetForm, SignInForm, SignUpForm
from accounts.signals import session_index
from core.http import safe_next_url

SIGN_IN_BACKEND = "accounts.backends.UsernameOrEmailBackend"


@sensitive_post_parameters("password1", "password2")
def signup(request):
    if request.user.is_authenticated:
        return redirect("me:profile")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        refusal = throttling.signup_refusal(request)
        if refusal:
            form.add_error(None, refusal)
            return render(request, "accounts/signup.html", {"form": form}, status=429)
        try:
            user = services.user_signup(
                username=form.cleaned_data["username"],
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
                request=request,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            login(request, user, backend=SIGN_IN_BACKEND)
            messages.success(
                request,
                f"Welcome, {user.username}! We sent a link to {user.email}: follow it to confirm your address.",
            )
            return redirect("me:profile")
    return render(request, "accounts/signup.html", {"form": form})


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_redirect_url(self):
        # A "next" pointing back at this page would loop for a signed-in visitor: fall back to the default.
        url = super().get_redirect_url()
        return "" if url.split("?", 1)[0] == self.request.path else url


sign_in = SignInView.as_view()


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset page, with the mail it sends throttled per client and per address (the refusal is a
    form error over the typed address; counted whether an account has the address or not)."""

    template_name = "accounts/password_reset_form.html"
    form_class = PasswordResetForm  # its mail goes through the task queue
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        refusal = throttling.password_reset_refusal(self.request, form.cleaned_data["email"])
        if refusal:
            form.add_error(None, refusal)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().form_valid(form)


password_reset = PasswordResetView.as_view()


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's page; the session it keeps signed in gets a new key, which joins the user's session index
    so that a suspension deletes it too."""

    template_name = "accounts/password_change_form.html"
    success_url = reverse_lazy("accounts:password_change_done")

    def form_valid(self, form):
        response = super().form_valid(form)
        session_index(self.request, form.user)
        return response


password_change = PasswordChangeView.as_view()


@require_POST
def sign_out(request):
    logout(request)
    messages.info(request, "You have signed out.")
    return redirect(settings.LOGOUT_REDIRECT_URL)


@require_http_methods(["GET", "POST"])
def verify_email(request, token: str):
    """GET shows the address and a button; only the POST confirms it. Mail scanners and link previews
    fetch every link in a message, so a link that confirmed on GET could confirm an address its owner never
    asked for (someone else signed up with it)."""
    confirm = services.user_verify_email if request.method == "POST" else services.user_for_verification
    try:
        user = confirm(token=token)
    except services.AlreadyVerified:
        return render(request, "accounts/verify_invalid.html", {"reason": "used"})
    except tokens.ExpiredToken:
        return render(request, "accounts/verify_invalid.html", {"reason": "expired"}, status=400)
    except tokens.InvalidToken:
        return render(request, "accounts/verify_invalid.html", {"reason": "invalid"}, status=400)
    if request.method == "GET":
        return render(request, "accounts/verify_confirm.html", {"email": user.email})
    messages.success(request, f"Thank you: {user.email} is confirmed and your account is fully active.")
    if request.user.is_authenticated and request.user.pk == user.pk:
        return redirect("me:profile")
    return redirect(f"{reverse('accounts:login')}?next={reverse('me:profile')}")


@require_POST
@login_required
def resend_verification(request):
    user = request.user
    next_url = safe_next_url(request, reverse("me:profile"))
    if user.email_verified:
        messages.info(request, "Your email address is already confirmed.")
    elif refusal := throttling.verification_resend_refusal(request):
        messages.warning(request, refusal)
    elif services.user_verification_resend(user=user, request=request):
        messages.success(request, f"We sent a new confirmation link to {user.email}.")
    else:
        messages.warning(
            request, "A link was sent less than a minute ago. Check your inbox, or try again in a minute."
        )
    return redirect(next_url)


def locked_out(request):
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_timedelta": settings.AXES_COOLOFF_TIME}
    return render(request, "accounts/locked_out.html", context)
