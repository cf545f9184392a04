"""Reference lists: IDV countries of employment and interview languages."""

from __future__ import annotations

from willo_integration.schemas import IdvCountry, Language

from ._resource import ListableResource, ListSpec


class IdvCountries(ListableResource[IdvCountry]):
    # The path is spelled "idv-counties" by Willo itself.
    path = "idv-counties/"
    item_model = IdvCountry
    list_spec = ListSpec(ordering=frozenset({"iso_3", "-iso_3"}))


class Languages(ListableResource[Language]):
    path = "languages/"
    item_model = Language
    list_spec = ListSpec(ordering=frozenset({"iso_code", "-iso_code"}))
