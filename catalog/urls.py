from django.urls import path

from catalog.views import compare, public

app_name = "catalog"

urlpatterns = [
    path("", public.home, name="home"),
    path("models/", public.model_list, name="model_list"),
    path("models/suggest/", public.model_suggest, name="model_suggest"),
    path("models/<slug:api_name>/", public.model_detail, name="model_detail"),
    path("developers/<str:username>/", public.developer_profile, name="developer_profile"),
    path("compare/", compare.compare, name="compare"),
]
