"""Reference lists: /idv-counties/ (sic), /languages/ and /categories/."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from .. import serializers as s
from ..auth import Actor
from ..http import json_response
from ..models import Category, IdvCountry, Language
from ..pagination import ordering, paginate
from .base import endpoint


def _countries(request: HttpRequest, actor: Actor) -> HttpResponse:
    qs = IdvCountry.objects.order_by(*ordering(request, {"iso_3": "iso_3"}, ["name"]))
    return json_response(paginate(request, qs, s.idv_country))


def _languages(request: HttpRequest, actor: Actor) -> HttpResponse:
    qs = Language.objects.order_by(*ordering(request, {"iso_code": "iso_code"}, ["iso_code"]))
    return json_response(paginate(request, qs, lambda lang: {"iso_code": lang.iso_code}))


def _categories(request: HttpRequest, actor: Actor) -> HttpResponse:
    # Not paginated: a bare list, as the collection shows.
    return json_response([s.category(c) for c in Category.objects.order_by("id")])


idv_countries = endpoint(GET=_countries)
languages = endpoint(GET=_languages)
categories = endpoint(GET=_categories)
