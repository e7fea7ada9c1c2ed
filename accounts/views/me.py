"""The signed-in user's own pages: profile, profile edit, account deletion."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.debug import sensitive_post_parameters

from accounts import services
from accounts.forms import PasswordConfirmForm, ProfileForm


@login_required
def profile(request):
    # The activity summary and recent history come from activity's template tags (activity_panels).
    return render(request, "accounts/profile.html", {"is_developer": hasattr(request.user, "developer")})


@login_required
def profile_edit(request):
    form = ProfileForm(request.POST or None, request.FILES or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.user_profile_update(form=form)
        messages.success(request, "Your profile is saved.")
        return redirect("me:profile")
    return render(request, "accounts/profile_edit.html", {"form": form})


@login_required
@sensitive_post_parameters("password")
def delete_account(request):
    form = PasswordConfirmForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.user_delete(user=request.user)
        logout(request)
        messages.success(request, "Your account and everything in it are deleted. Goodbye.")
        return redirect("/")
    return render(request, "accounts/delete_account.html", {"form": form})
