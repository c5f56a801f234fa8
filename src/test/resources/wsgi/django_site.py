"""A one-file Django site for DjangoIT: settings, URLs and views here, served through
python.wsgi=django_site:application and python.asgi=django_site:asgi_application on
Debian's python3-django."""

from __future__ import annotations

import django
from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY="django-it-only-not-secret",
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=["django.middleware.common.CommonMiddleware"],
    INSTALLED_APPS=[],
    USE_TZ=True,
)
django.setup()

import asyncio  # noqa: E402
import threading  # noqa: E402

from django.core.asgi import get_asgi_application  # noqa: E402  (after settings, as Django needs)
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import HttpRequest, HttpResponse, JsonResponse  # noqa: E402
from django.shortcuts import redirect  # noqa: E402
from django.urls import path, reverse  # noqa: E402


def item(request: HttpRequest, item_id: int) -> JsonResponse:
    return JsonResponse({"id": item_id, "script_name": request.META["SCRIPT_NAME"],
                         "path": request.path, "tags": request.GET.getlist("tag")})


def form(request: HttpRequest) -> JsonResponse:
    if request.method != "POST":
        return JsonResponse({"error": "POST only"}, status=405)
    return JsonResponse({"fields": {k: request.POST.getlist(k) for k in request.POST}})


def go(request: HttpRequest) -> HttpResponse:
    return redirect(reverse("item", args=[7]))


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug in a Django view")


async def pause(request: HttpRequest) -> JsonResponse:
    """An async view: under ASGI it awaits on the app's event loop, on that loop's thread."""
    await asyncio.sleep(float(request.GET.get("seconds", "0")))
    return JsonResponse({"script_name": request.META["SCRIPT_NAME"], "path": request.path,
                         "thread": threading.current_thread().name})


urlpatterns = [
    path("pause", pause),
    path("items/<int:item_id>", item, name="item"),
    path("form", form),
    path("go", go),
    path("boom", boom),
]

application = get_wsgi_application()
asgi_application = get_asgi_application()
