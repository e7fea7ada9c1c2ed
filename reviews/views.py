"""Writing, editing and deleting reviews, marking them helpful, reporting them, and developers' replies.

Every view works without JavaScript (a POST answered by a redirect); the helpful button also answers
htmx requests with the button alone, swapped in place.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from catalog.access import get_active_developer
from catalog.models import AIModel
from catalog.selectors import get_listed_model
from core.http import safe_next_url
from reviews import selectors, services
from reviews.forms import ReplyForm, ReviewForm, ReviewReportForm
from reviews.models import ModelReview


def _reviews_url(model: AIModel) -> str:
    """The model page's Reviews tab."""
    return reverse("catalog:model_reviews", args=[model.api_name])


def _review_anchor(review: ModelReview, model: AIModel) -> str:
    return f"{_reviews_url(model)}#review-{review.pk}"


def get_review_for_author(request: HttpRequest, api_name: str, review_id) -> ModelReview:
    """The signed-in user's own review of the model at `api_name`; 404 for anyone else."""
    review = get_object_or_404(
        ModelReview.objects.select_related("model", "model__developer"),
        pk=review_id,
        model__api_name=api_name,
        user=request.user,
    )
    review.user = request.user
    return review


def get_review_for_model_owner(request: HttpRequest, api_name: str, review_id) -> ModelReview:
    """A visible review of one of the signed-in developer's models; 404 for anyone else, and for a
    developer who may not use the dashboard (the same rule as every dashboard page)."""
    developer = get_active_developer(request)
    review = get_object_or_404(
        ModelReview.objects.visible().select_related("model", "user", "reply"),
        pk=review_id,
        model__api_name=api_name,
        model__developer=developer,
    )
    review.model.developer = developer
    return review


def _review_form_page(request, *, model, form, review, refusal, save, done: str) -> HttpResponse:
    """The review form, writing or editing: a valid POST is saved by `save({rating, title, text})` and
    redirected to the review; a refusal of the service is shown above the form, and a POST the user may
    not make at all answers 403 with the reason."""
    if request.method == "POST" and not refusal and form.is_valid():
        try:
            saved = save(
                {
                    "rating": form.cleaned_data["rating"],
                    "title": form.cleaned_data["review_title"],
                    "text": form.cleaned_data["review_text"],
                }
            )
        except services.ReviewError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, done)
            return redirect(_review_anchor(saved, model))
    status = 403 if refusal and request.method == "POST" else 200
    return render(
        request,
        "reviews/review_form.html",
        {"model": model, "form": form, "review": review, "refusal": refusal},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_create(request: HttpRequest, api_name: str) -> HttpResponse:
    model = get_listed_model(api_name)
    refusal = services.review_refusal(user=request.user, model=model)
    existing = selectors.review_of_user(model=model, user=request.user)
    if existing is not None and not refusal:
        messages.info(request, services.ALREADY_REVIEWED + " You can edit it here.")
        return redirect("reviews:edit", api_name=model.api_name, review_id=existing.pk)
    form = ReviewForm(request.POST or None)
    return _review_form_page(
        request,
        model=model,
        form=form,
        review=None,
        refusal=refusal,
        save=lambda fields: services.review_create(user=request.user, model=model, **fields),
        done="Thank you: your review is published.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_edit(request: HttpRequest, api_name: str, review_id) -> HttpResponse:
    review = get_review_for_author(request, api_name, review_id)
    model = review.model
    refusal = None if request.user.is_verified else services.VERIFY_TO_REVIEW
    form = ReviewForm(request.POST or None, instance=review)
    return _review_form_page(
        request,
        model=model,
        form=form,
        review=review,
        refusal=refusal,
        save=lambda fields: services.review_update(review=review, **fields),
        done="Your review is updated.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_delete(request: HttpRequest, api_name: str, review_id) -> HttpResponse:
    review = get_review_for_author(request, api_name, review_id)
    model = review.model
    if request.method == "POST":
        services.review_delete(review=review)
        messages.success(request, "Your review is deleted.")
        return redirect(f"{_reviews_url(model)}#reviews")
    return render(request, "reviews/review_confirm_delete.html", {"model": model, "review": review})


@login_required
@require_POST
def review_vote(request: HttpRequest, api_name: str, review_id) -> HttpResponse:
    model = get_listed_model(api_name)
    review = get_object_or_404(
        ModelReview.objects.visible().select_related("user"), pk=review_id, model=model
    )
    review.model = model
    fallback = _review_anchor(review, model)
    is_htmx = request.headers.get("HX-Request") == "true"
    try:
        voted = services.review_vote_toggle(review=review, user=request.user)
    except services.ReviewError as error:
        if is_htmx:
            return HttpResponse(str(error), status=403)
        messages.error(request, str(error))
        return redirect(safe_next_url(request, fallback))
    if is_htmx:
        review.refresh_from_db(fields=["helpful_votes"])
        review.user_has_voted = voted
        return render(
            request,
            "reviews/_vote_button.html",
            {"review": review, "next_url": safe_next_url(request, fallback)},
        )
    messages.success(
        request, "Marked as helpful. Thank you!" if voted else "You took back your helpful vote."
    )
    return redirect(safe_next_url(request, fallback))


@login_required
@require_http_methods(["GET", "POST"])
def reply_edit(request: HttpRequest, api_name: str, review_id) -> HttpResponse:
    review = get_review_for_model_owner(request, api_name, review_id)
    model = review.model
    reply_form = None
    if request.method == "POST":
        reply_form = ReplyForm(request.POST, instance=getattr(review, "reply", None))
        if reply_form.is_valid():
            try:
                services.reply_save(
                    review=review, developer=model.developer, text=reply_form.cleaned_data["reply_text"]
                )
            except services.ReviewError as error:
                reply_form.add_error("reply_text", str(error))
            else:
                messages.success(request, "Your reply is published under the review.")
                return redirect(safe_next_url(request, _review_anchor(review, model)))
    next_url = safe_next_url(request, _review_anchor(review, model))
    return render(
        request,
        "reviews/reply_form.html",
        {"model": model, "review": review, "reply_form": reply_form, "next_url": next_url},
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_report(request: HttpRequest, api_name: str, review_id) -> HttpResponse:
    """Report a visible review to the moderators: a reason and optional details. Hidden reviews are 404
    here as on the model page; a user who may not report sees why (403 to a POST)."""
    model = get_listed_model(api_name)
    review = get_object_or_404(
        ModelReview.objects.visible().select_related("user"), pk=review_id, model=model
    )
    review.model = model
    # Back to the page the report started from (its filter, sort and page kept), at the review.
    next_url = safe_next_url(request, _reviews_url(model)).split("#")[0]
    back_url = f"{next_url}#review-{review.pk}"
    refusal = services.report_refusal(user=request.user, review=review)
    already = (
        refusal is None
        and request.method == "GET"
        and selectors.has_open_report(review=review, user=request.user)
    )
    form = ReviewReportForm(request.POST or None)
    if request.method == "POST" and not refusal and form.is_valid():
        try:
            services.review_report_create(
                user=request.user,
                review=review,
                reason=form.cleaned_data["reason"],
                details=form.cleaned_data["details"],
            )
        except services.ReviewError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Thank you: the moderators will look at your report.")
            return redirect(back_url)
    status = 403 if refusal and request.method == "POST" else 200
    context = {
        "model": model,
        "review": review,
        "form": form,
        "refusal": refusal,
        "already": already,
        "next_url": next_url,
        "back_url": back_url,
    }
    return render(request, "reviews/report_form.html", context, status=status)
