"""/developers/apply/: file a developer application, then follow its state at the same address."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts import services
from accounts.forms_developer import DeveloperApplicationForm
from accounts.models import Developer
from core.forms import add_constraint_error, add_validation_error


@login_required
@require_http_methods(["GET", "POST"])
def apply(request):
    user = request.user
    try:
        developer = user.developer
    except Developer.DoesNotExist:
        developer = None
    if developer is not None:
        return render(request, "accounts/apply_status.html", {"developer": developer})
    if not user.is_verified:
        return render(request, "accounts/apply_verify_first.html", status=403)

    form = DeveloperApplicationForm(
        request.POST if request.method == "POST" else None,
        initial={"email": user.email, "first_name": user.first_name, "last_name": user.last_name},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.developer_apply(user=user, **form.cleaned_data)
        except services.DeveloperApplicationError as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            add_validation_error(form, error)
        except IntegrityError as error:
            add_constraint_error(form, error)
        else:
            messages.success(request, "Thank you. Your application is waiting for staff approval.")
            return redirect("apply:apply")
    return render(request, "accounts/apply.html", {"form": form})
