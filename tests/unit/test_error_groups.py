"""M4: record errors sorted into causes, each with its fix."""
from __future__ import annotations

import pytest

from desktop.sync.error_groups import OTHER, cause_of


@pytest.mark.parametrize("message,key", [
    ("Duplicate SKU 'sku-00003' in Hike (also on Coastal Throw Blanket 00004)", "duplicate_sku"),
    ("Hike customers Ethan Chen (id 98) and Hugo Khan (id 100) share the email x@example.com", "shared_email"),
    ("Not enough stock of Midnight Leather Belt 00011 (id 1022) in outlet 1: 1 available, 3 needed.", "short_of_stock"),
    ("the store took too long to answer; gave up after 4 tries", "transient"),
])
def test_r_m4_messages_fall_into_their_cause(message, key):
    assert cause_of(message).key == key


def test_r_m4_an_unknown_message_is_other_with_a_generic_hint():
    assert cause_of("something nobody foresaw") is OTHER
