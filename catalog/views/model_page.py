"""The model page, /models/<api_name>/: a header with the essentials and five tabs.

Each tab is a real address (/models/<api_name>/<tab>/) that draws the whole page with that tab's panel,
so the tabs are plain links that work without JavaScript; htmx only swaps the panel in place. The bare
address draws the viewer's first tab: the playground for a signed-in user (the page is there to try the
model), the overview for a visitor. Each panel reads only what it shows: usage figures, the playground,
reviews and the daily charts come from the activity and reviews apps' template tags (activity_panels,
playground, review_panels), since those apps sit above the catalog.
"""

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from catalog.models import AIModel, ModelStatus
from catalog.selectors import get_model_for_viewer, is_model_owner
from core.markdown import render_markdown
from core.page_cache import cache_for_anonymous

# (name, label) of each tab, in the order the page shows them; each has the URL name model_<name>.
TABS = (
    ("overview", "Overview"),
    ("playground", "Playground"),
    ("api", "API"),
    ("reviews", "Reviews"),
    ("stats", "Stats"),
)
TAB_NAMES = frozenset(name for name, _ in TABS)


@dataclass(frozen=True, slots=True)
class TabLink:
    name: str
    label: str
    url: str
    current: bool


def takes_calls(model: AIModel) -> bool:
    """Calls to it are answered: it is active, or deprecated with a sunset still ahead."""
    return model.status == ModelStatus.ACTIVE or model.sunset_ahead


def default_tab(request: HttpRequest, model: AIModel) -> str:
    """The panel the bare address shows: a signed-in user lands on the playground of a model that answers."""
    if request.user.is_authenticated and takes_calls(model):
        return "playground"
    return "overview"


def tab_url(model: AIModel, name: str, *, default: str) -> str:
    """The address of a tab: the bare model address for the viewer's first tab, its sub-path otherwise."""
    if name == default:
        return model.get_absolute_url()
    return reverse(f"catalog:model_{name}", args=[model.api_name])


def snippets(request: HttpRequest, model: AIModel) -> dict:
    """Code that calls the model, addressed to the host and scheme this page was requested at (the
    proxy's X-Forwarded-Proto counts, SECURE_PROXY_SSL_HEADER), so a copy works from wherever the site
    is reached; ALLOWED_HOSTS has already vetted the host."""
    base = request.build_absolute_uri("/").rstrip("/")
    api_name = model.api_name
    curl = (
        f"curl {base}/api/v1/chat/completions \\\n"
        '  -H "Authorization: Bearer $AMP_API_KEY" \\\n'
        '  -H "Content-Type: application/json" \\\n'
        f'  -d \'{{"model": "{api_name}", '
        '"messages": [{"role": "user", "content": "Hello!"}]}\''
    )
    python = (
        "import os\n\n"
        "from openai import OpenAI\n\n"
        f'client = OpenAI(base_url="{base}/api/v1", api_key=os.environ["AMP_API_KEY"])\n'
        "reply = client.chat.completions.create(\n"
        f'    model="{api_name}",\n'
        '    messages=[{"role": "user", "content": "Hello!"}],\n'
        ")\n"
        "print(reply.choices[0].message.content)"
    )
    javascript = (
        f'const response = await fetch("{base}/api/v1/chat/completions", {{\n'
        '  method: "POST",\n'
        "  headers: {\n"
        "    Authorization: `Bearer ${process.env.AMP_API_KEY}`,\n"
        '    "Content-Type": "application/json",\n'
        "  },\n"
        "  body: JSON.stringify({\n"
        f'    model: "{api_name}",\n'
        '    messages: [{ role: "user", content: "Hello!" }],\n'
        "  }),\n"
        "});\n"
        "const reply = await response.json();\n"
        "console.log(reply.choices[0].message.content);"
    )
    return {
        "curl": curl,
        "python": python,
        "javascript": javascript,
        "invoke_url": f"{base}/api/v1/models/{api_name}/invoke",
    }


@cache_for_anonymous
def model_detail(request: HttpRequest, api_name: str, tab: str | None = None) -> HttpResponse:
    model = get_model_for_viewer(request, api_name)
    first = default_tab(request, model)
    current = tab if tab in TAB_NAMES else first
    context = {
        "model": model,
        "is_owner": is_model_owner(request.user, model),
        "is_served": takes_calls(model),
        # A model deprecated with notice keeps its playground: until the sunset it answers, after it the
        # playground says why it does not.
        "show_playground": model.status == ModelStatus.ACTIVE or model.sunset_at is not None,
        "tab": current,
        # The title names the tab, except on the bare address.
        "tab_label": "" if tab is None else dict(TABS)[current],
        "tabs": [
            TabLink(name, label, tab_url(model, name, default=first), name == current) for name, label in TABS
        ],
        "playground_url": tab_url(model, "playground", default=first),
        "reviews_url": tab_url(model, "reviews", default=first),
        "api_url": tab_url(model, "api", default=first),
    }
    if current == "overview":
        # The model card: Markdown its developer wrote, its headings under the page's <h1>.
        context["model_card"] = render_markdown(model.description, heading_level=2, lift_headings=True)
    elif current == "api":
        context["snippets"] = snippets(request, model)
    return render(request, "catalog/model_detail.html", context)
