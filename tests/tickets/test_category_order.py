"""Category pickers list categories in the order of the names the user reads."""

from __future__ import annotations

import pytest
from django.utils import translation

from tests.factories import CategoryFactory
from tickets.selectors import category_tree

pytestmark = pytest.mark.django_db


def test_categories_are_in_the_alphabetical_order_of_the_active_language() -> None:
    network = CategoryFactory(name="Network", name_de="Netzwerk")
    CategoryFactory(name="VPN", name_de="VPN", parent=network)
    CategoryFactory(name="Accounts & passwords", name_de="Konten & Passwörter")
    CategoryFactory(name="Printing", name_de="Drucken")
    CategoryFactory(name="Office", name_de="Ärger mit Office")  # an umlaut sorts as its vowel

    with translation.override("en"):
        english = [c.localized_name for c in category_tree()]
    with translation.override("de"):
        german = [c.localized_name for c in category_tree()]

    assert english == ["Accounts & passwords", "Network", "VPN", "Office", "Printing"]
    assert german == ["Ärger mit Office", "Drucken", "Konten & Passwörter", "Netzwerk", "VPN"]
