"""Prices: which BigCommerce price Hike's retail price maps to (S7), with what each choice means."""
from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP

from desktop.sync.settings import Settings, StoreFacts
from desktop.views.setup.page import SettingsPage
from desktop.views.setup.widgets import radio_choices

CHOICES = (
    ("price",
     QT_TRANSLATE_NOOP("PricesPage", "&Price"),
     QT_TRANSLATE_NOOP("PricesPage", "The final price the product sells for. It applies to both Hike's in-store "
                                     "sales and BigCommerce's online sales.")),
    ("retail_price",
     QT_TRANSLATE_NOOP("PricesPage", "&Retail Price"),
     QT_TRANSLATE_NOOP("PricesPage", "Hike updates BigCommerce's Retail Price field. Any discounts in BigCommerce "
                                     "still reduce the final sale price there.")),
    ("sale_price",
     QT_TRANSLATE_NOOP("PricesPage", "&Sale Price"),
     QT_TRANSLATE_NOOP("PricesPage", "Hike updates BigCommerce's Sale Price field. Discounts in BigCommerce may "
                                     "not apply, as this is the final sale price there: check your BigCommerce "
                                     "settings.")),
)


class PricesPage(SettingsPage):
    title = QT_TRANSLATE_NOOP("SetupPage", "Prices")
    intro = (QT_TRANSLATE_NOOP("SetupPage", "BigCommerce has three prices for a product: Price, Retail Price and "
                                            "Sale Price. Choose which one "
             "Hike's retail price syncs with."))

    def build(self) -> None:
        self.group, self.buttons = radio_choices(self, self.body, "priceType", CHOICES, gap=6)
        for button in self.buttons.values():
            button.toggled.connect(self.changed)

    def fill(self, settings: Settings, facts: StoreFacts | None) -> None:
        self.buttons.get(settings.price_type, self.buttons["price"]).setChecked(True)

    def store(self, settings: Settings) -> None:
        settings.price_type = next(v for v, b in self.buttons.items() if b.isChecked())
