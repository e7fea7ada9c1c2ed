"""The signed-in user's own pages: profile, profile edit, account deletion."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.debug import sensitive_post_parameters

from accounts import services
from accounts.forms import PasswordConfirmForm, ProfileForm
from activity.models import UserActivitySummary, UserHistory

RECENT_HISTORY = 5


@login_required
def profile(request):
    user = request.user
    context = {
        "summary": UserActivitySummary.objects.filter(user=user).first(),
        "recent": UserHistory.objects.for_user(user).newest_first().select_related("model")[:RECENT_HISTORY],
        "is_developer": hasattr(user, "developer"),
    }
    return render(request, "accounts/profile.html", context)


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
