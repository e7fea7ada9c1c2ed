"""Likes, the user's liked models, and collections: their list, page, forms and item controls.

Every mutation is a POST answered by a redirect, so each works without JavaScript; the like button also
answers htmx requests with the button alone, swapped in place.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from catalog.selectors import get_listed_model
from core.http import safe_next_url
from core.page_cache import cache_for_anonymous
from favourites import selectors, services
from favourites.forms import AddToCollectionForm, CollectionForm, ItemNoteForm
from favourites.models import CollectionModel

PER_PAGE = 24
COLLECTION_SORTS = {"newest": "Newest", "models": "Most models"}


# --- Likes ----------------------------------------------------------------------------------------------
@login_required
@require_POST
def like(request: HttpRequest, api_name: str) -> HttpResponse:
    """Like the model (liked=1) or take the like back (liked=0)."""
    model = get_listed_model(api_name)
    fallback = model.get_absolute_url()
    is_htmx = request.headers.get("HX-Request") == "true"
    wanted = request.POST.get("liked", "1") != "0"
    try:
        liked = services.like_set(user=request.user, model=model, liked=wanted)
    except services.FavouritesError as error:
        if is_htmx:
            return HttpResponse(str(error), status=403)
        messages.error(request, str(error))
        return redirect(safe_next_url(request, fallback))
    if is_htmx:
        model.refresh_from_db(fields=["like_count"])
        return render(
            request,
            "favourites/_like_button.html",
            {"model": model, "next_url": safe_next_url(request, fallback)},
        )
    messages.success(
        request, f"You like {model.display_name}." if liked else f"You no longer like {model.display_name}."
    )
    return redirect(safe_next_url(request, fallback))


@login_required
def my_likes(request: HttpRequest) -> HttpResponse:
    paginator = Paginator(selectors.liked_models(user=request.user), PER_PAGE)
    page_obj = paginator.get_page(request.GET.get("page"))
    return render(request, "favourites/my_likes.html", {"page_obj": page_obj, "models": page_obj.object_list})


# --- Collections ----------------------------------------------------------------------------------------
@cache_for_anonymous
def collection_list(request: HttpRequest) -> HttpResponse:
    sort = request.GET.get("sort")
    if sort not in COLLECTION_SORTS:
        sort = "newest"
    paginator = Paginator(selectors.public_collections(sort=sort), PER_PAGE)
    page_obj = paginator.get_page(request.GET.get("page"))
    collections = list(page_obj.object_list)
    mine = list(selectors.user_collections(user=request.user)) if request.user.is_authenticated else []
    selectors.collections_preview(collections=collections + mine)
    context = {
        "page_obj": page_obj,
        "collections": collections,
        "mine": mine,
        "sort": sort,
        "sorts": COLLECTION_SORTS.items(),
    }
    return render(request, "favourites/collection_list.html", context)


@cache_for_anonymous
def collection_detail(request: HttpRequest, collection_id) -> HttpResponse:
    collection = selectors.get_collection_for_viewer(request.user, collection_id)
    is_owner = collection.user_id == request.user.pk
    items = selectors.collection_items(collection=collection, owner_view=is_owner)
    context = {"collection": collection, "items": items, "is_owner": is_owner}
    return render(request, "favourites/collection_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def collection_create(request: HttpRequest) -> HttpResponse:
    form = CollectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            collection = services.collection_create(
                user=request.user,
                title=form.cleaned_data["title"],
                note=form.cleaned_data["note"],
                is_public=form.cleaned_data["is_public"],
            )
        except services.FavouritesError as error:
            form.add_error("is_public", str(error))
        else:
            messages.success(request, "Your collection is created. Add models to it from their pages.")
            return redirect(collection)
    return render(request, "favourites/collection_form.html", {"form": form, "collection": None})


@login_required
@require_http_methods(["GET", "POST"])
def collection_edit(request: HttpRequest, collection_id) -> HttpResponse:
    collection = selectors.get_collection_for_owner(request.user, collection_id)
    was_public = collection.is_public
    form = CollectionForm(request.POST or None, instance=collection)
    if request.method == "POST" and form.is_valid():
        try:
            services.collection_update(
                collection=collection,
                title=form.cleaned_data["title"],
                note=form.cleaned_data["note"],
                is_public=form.cleaned_data["is_public"],
            )
        except services.FavouritesError as error:
            collection.is_public = was_public
            form.add_error("is_public", str(error))
        else:
            messages.success(request, "Your collection is saved.")
            return redirect(collection)
    return render(request, "favourites/collection_form.html", {"form": form, "collection": collection})


@login_required
@require_http_methods(["GET", "POST"])
def collection_delete(request: HttpRequest, collection_id) -> HttpResponse:
    collection = selectors.get_collection_for_owner(request.user, collection_id)
    if request.method == "POST":
        services.collection_delete(collection=collection)
        messages.success(request, f"The collection “{collection.title}” is deleted.")
        return redirect("favourites:collection_list")
    return render(request, "favourites/collection_confirm_delete.html", {"collection": collection})


@login_required
@require_http_methods(["GET", "POST"])
def collect(request: HttpRequest, api_name: str) -> HttpResponse:
    """Add the model to one of the user's collections, or to a new one (the model page's small form posts
    here; this page shows it again with its errors and what was typed)."""
    model = get_listed_model(api_name)
    collections = list(selectors.user_collections(user=request.user))
    holding = selectors.collections_holding(user=request.user, model=model)
    form = AddToCollectionForm(request.POST or None, collections=collections)
    if request.method == "POST" and form.is_valid():
        try:
            chosen = form.chosen
            if chosen is None:
                chosen, _item = services.collection_create_with_model(
                    user=request.user, title=form.cleaned_data["new_title"], model=model
                )
            else:
                services.collection_add_model(collection=chosen, model=model)
        except services.FavouritesError as error:
            form.add_error("collection", str(error))
        else:
            messages.success(request, f"{model.display_name} is added to “{chosen.title}”.")
            return redirect(safe_next_url(request, chosen.get_absolute_url()))
    context = {"model": model, "form": form, "collections": collections, "holding": holding}
    return render(request, "favourites/collect.html", context)


def _item_for_owner(request: HttpRequest, collection_id, item_id) -> CollectionModel:
    """An item of the signed-in user's own collection; 404 for anyone else."""
    collection = selectors.get_collection_for_owner(request.user, collection_id)
    item = get_object_or_404(
        CollectionModel.objects.select_related("model"), pk=item_id, collection=collection
    )
    item.collection = collection
    return item


@login_required
@require_POST
def item_move(request: HttpRequest, collection_id, item_id) -> HttpResponse:
    item = _item_for_owner(request, collection_id, item_id)
    up = request.POST.get("direction") != "down"
    try:
        services.collection_move_item(item=item, up=up)
    except services.FavouritesError as error:
        messages.error(request, str(error))
    return redirect(f"{item.collection.get_absolute_url()}#item-{item.pk}")


@login_required
@require_POST
def item_remove(request: HttpRequest, collection_id, item_id) -> HttpResponse:
    item = _item_for_owner(request, collection_id, item_id)
    services.collection_remove_item(item=item)
    messages.success(request, f"{item.model.display_name} is removed from the collection.")
    return redirect(item.collection)


@login_required
@require_http_methods(["GET", "POST"])
def item_note(request: HttpRequest, collection_id, item_id) -> HttpResponse:
    item = _item_for_owner(request, collection_id, item_id)
    form = ItemNoteForm(request.POST or None, initial={"note": item.note})
    if request.method == "POST" and form.is_valid():
        services.collection_item_note(item=item, note=form.cleaned_data["note"])
        messages.success(request, "The note is saved.")
        return redirect(f"{item.collection.get_absolute_url()}#item-{item.pk}")
    return render(request, "favourites/item_note.html", {"item": item, "form": form})
