from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def bare(request):
    """The ceiling: the same middleware and gunicorn settings as every page, a tiny template, no queries.

    Mounted at /__bench__/bare only when settings.BENCH_ENDPOINTS is on; the benchmark compares every page
    with it.
    """
    return render(request, "bench/bare.html")
