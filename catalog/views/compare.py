"""Models side by side: /compare/?models=a,b,c (two to four catalog models, by API name).

The list lives in the URL, so a comparison is a link to share, and every change (add, remove) is a GET
that answers with the new URL: it all works without JavaScript. Names that are not catalog models are
named in a message, never an error page. The usage figures (calls, success rate and p50 latency over 30
days, forwarded calls only) come from activity's template tags (activity_panels), as on the model page;
likes from models.like_count. A fixed number of queries whatever the number of models.
"""

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from catalog.kinds import kinds_label
from catalog.models import AIModel
from catalog.search import search_models
from core.page_cache import cache_for_anonymous

MIN_MODELS = 2
MAX_MODELS = 4
MAX_NAMES = 20  # names read from one URL; more are ignored
MAX_NAME_CHARS = 100
SUGGESTIONS = 5


def _names(raw: str) -> list[str]:
    """The API names of `?models=`, lowercased, without blanks or repeats, in order."""
    names: list[str] = []
    for part in raw.split(",")[:MAX_NAMES]:
        name = part.strip().lower()[:MAX_NAME_CHARS].replace("\x00", "")
        if name and name not in names:
            names.append(name)
    return names


def compare_url(names: list[str]) -> str:
    url = reverse("catalog:compare")
    return f"{url}?{urlencode({'models': ','.join(names)}, safe=',')}" if names else url


def _find(text: str, exclude: list[str]) -> tuple[AIModel | None, list[AIModel]]:
    """The catalog model `text` names (its API name or its display name, any case), or None and up to
    SUGGESTIONS catalog models that match it as a search."""
    text = text.strip()[:MAX_NAME_CHARS].replace("\x00", "")
    if not text:
        return None, []
    public = AIModel.objects.public().exclude(api_name__in=exclude)
    exact = (
        public.filter(api_name=text.lower()).first()
        or public.filter(display_name__iexact=text).order_by("model_id").first()
    )
    if exact is not None:
        return exact, []
    found = search_models(public, text)
    ordered = found.order_by("-rank", "model_id") if "rank" in found.query.annotations else found
    return None, list(ordered.only("api_name", "display_name")[:SUGGESTIONS])


@cache_for_anonymous
def compare(request: HttpRequest) -> HttpResponse:
    names = _names(request.GET.get("models", ""))
    notices: list[str] = []
    suggestions: list[dict] = []
    added = request.GET.get("add", "")
    if added.strip():
        if len(names) >= MAX_MODELS:
            notices.append(f"You can compare up to {MAX_MODELS} models: remove one before adding another.")
        else:
            model, found = _find(added, names)
            if model is not None:
                return redirect(compare_url([*names, model.api_name]))
            notices.append(f"No model in the catalog is named “{added.strip()[:MAX_NAME_CHARS]}”.")
            suggestions = [{"model": match, "url": compare_url([*names, match.api_name])} for match in found]

    shown_names = names[:MAX_MODELS]
    if len(names) > MAX_MODELS:
        notices.append(
            f"You can compare up to {MAX_MODELS} models at once: showing the first {MAX_MODELS}, "
            f"leaving out {', '.join(names[MAX_MODELS:])}."
        )
    by_name = {
        model.api_name: model
        for model in AIModel.objects.public().select_related("developer").filter(api_name__in=shown_names)
    }
    unknown = [name for name in shown_names if name not in by_name]
    if unknown:
        listed = ", ".join(f"“{name}”" for name in unknown)
        notices.append(
            f"Not in the catalog, so left out: {listed}."
            if len(unknown) > 1
            else f"“{unknown[0]}” is not a model in the catalog, so it is left out."
        )
    models = [by_name[name] for name in shown_names if name in by_name]
    kept = [model.api_name for model in models]
    columns = [
        {
            "model": model,
            "takes": kinds_label(model.takes),
            "gives": kinds_label(model.gives),
            "remove_url": compare_url([name for name in kept if name != model.api_name]),
        }
        for model in models
    ]
    context = {
        "columns": columns,
        "models": models,
        "names": ",".join(kept),
        "notices": notices,
        "suggestions": suggestions,
        "added": added.strip()[:MAX_NAME_CHARS] if suggestions else "",
        "too_few": len(models) < MIN_MODELS,
        "can_add": len(models) < MAX_MODELS,
        "min_models": MIN_MODELS,
        "max_models": MAX_MODELS,
    }
    return render(request, "catalog/compare.html", context)
