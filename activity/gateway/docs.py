"""The API docs page, served without a CDN so it works under the site's CSP (script-src 'self').

django-ninja ships Swagger UI's files in its package; this page and its asset view serve them from there,
whatever INSTALLED_APPS holds, with the settings passed as JSON data instead of an inline script. A bar
above the explorer leads back to the site and its guides (/docs/).
"""

import mimetypes
from pathlib import Path
from typing import Any

import ninja
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.template import Context, Engine
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
from ninja import NinjaAPI
from ninja.openapi.docs import DocsBase

ASSETS_DIR = Path(ninja.__file__).resolve().parent / "static" / "ninja"
ASSETS = {"swagger-ui-bundle.js", "swagger-ui-init.js", "swagger-ui.css"}
PAGE = Engine(libraries={}).from_string(
    """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{{ title }} · API docs</title>
  <link rel="icon" href="{{ favicon }}" type="image/svg+xml">
  <link rel="stylesheet" href="{{ css }}">
  <link rel="stylesheet" href="{{ site_css }}">
</head>
<body>
  <header class="api-docs-bar">
    <nav aria-label="Site">
      <a class="api-docs-home" href="/"><img src="{{ logo }}" alt="" width="24" height="24"> AI Model Platform</a>
      <a href="/docs/">Guides</a>
      <a href="/models/">Models</a>
    </nav>
  </header>
  {{ swagger_settings|json_script:"swagger-settings" }}
  <div id="swagger-ui"></div>
  <script src="{{ bundle }}"></script>
  <script src="{{ init }}"></script>
</body>
</html>
"""
)


def asset_url(name: str) -> str:
    return reverse("api:docs-asset", args=[name])


class LocalSwagger(DocsBase):
    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        context = {
            "title": api.title,
            "swagger_settings": {
                "url": self.get_openapi_url(api, kwargs),
                "layout": "BaseLayout",
                "deepLinking": True,
            },
            "css": asset_url("swagger-ui.css"),
            "site_css": static("css/api-docs.css"),
            "favicon": static("img/favicon.svg"),
            "logo": static("img/logo.svg"),
            "bundle": asset_url("swagger-ui-bundle.js"),
            "init": asset_url("swagger-ui-init.js"),
        }
        return HttpResponse(PAGE.render(Context(context)))


@require_GET
@cache_control(public=True, max_age=86400)
def docs_asset(request: HttpRequest, name: str) -> FileResponse:
    if name not in ASSETS:
        raise Http404("No such asset.")
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return FileResponse((ASSETS_DIR / name).open("rb"), content_type=content_type)
