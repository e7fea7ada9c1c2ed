from django.urls import path

from catalog.views import compare, model_page, public

app_name = "catalog"

urlpatterns = [
    path("", public.home, name="home"),
    path("models/", public.model_list, name="model_list"),
    path("models/suggest/", public.model_suggest, name="model_suggest"),
    path("models/<slug:api_name>/", model_page.model_detail, name="model_detail"),
    # The model page's tabs, each a page of its own (catalog.views.model_page.TABS).
    *(
        path(f"models/<slug:api_name>/{tab}/", model_page.model_detail, {"tab": tab}, name=f"model_{tab}")
        for tab, _ in model_page.TABS
    ),
    path("developers/<str:username>/", public.developer_profile, name="developer_profile"),
    path("compare/", compare.compare, name="compare"),
]
