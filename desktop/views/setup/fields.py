"""Fields (Manage, issue 20): who owns each synced product and customer field. One row per field with a rule
(``desktop.sync.ownership``), in a Products and a Customers group: as Hike's article has it (the default, worded for
the current options; a customer field's is always "the newest change wins"), Hike owns it, BigCommerce owns it, the
newest change wins, or don't sync."""
from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox

from desktop.sync import ownership
from desktop.sync.product_fields import declared_rule
from desktop.sync.settings import Settings, StoreFacts
from desktop.views.setup.page import SettingsPage
from desktop.views.setup.widgets import add_row, help_text

CONTEXT = "FieldsPage"
DEFAULT = ""  # the combo's data for "as Hike's article has it" (no key in ``field_ownership``)
# each field's caption, with its Alt shortcut (unique in Manage: Alt+D is Disconnect, Alt+G Save changes)
CAPTIONS = {"name": QT_TRANSLATE_NOOP("FieldsPage", "&Name:"),
            "description": QT_TRANSLATE_NOOP("FieldsPage", "D&escription:"),
            "price": QT_TRANSLATE_NOOP("FieldsPage", "&Price:"),
            "cost": QT_TRANSLATE_NOOP("FieldsPage", "C&ost:"),
            "barcode": QT_TRANSLATE_NOOP("FieldsPage", "&Barcode / UPC:"),
            "tax": QT_TRANSLATE_NOOP("FieldsPage", "Ta&x:"),
            "weight": QT_TRANSLATE_NOOP("FieldsPage", "&Weight and size:"),
            "brand": QT_TRANSLATE_NOOP("FieldsPage", "B&rand:"),
            "categories": QT_TRANSLATE_NOOP("FieldsPage", "Categor&ies:"),
            "track_inventory": QT_TRANSLATE_NOOP("FieldsPage", "Trac&k inventory:"),
            "customer.name": QT_TRANSLATE_NOOP("FieldsPage", "Na&me:"),
            "customer.phone": QT_TRANSLATE_NOOP("FieldsPage", "P&hone:"),
            "customer.company": QT_TRANSLATE_NOOP("FieldsPage", "&Company:"),
            "customer.address": QT_TRANSLATE_NOOP("FieldsPage", "&Address:")}
GROUPS = ((ownership.PRODUCT, "fieldRulesProducts", QT_TRANSLATE_NOOP("FieldsPage", "Products")),
          (ownership.CUSTOMER, "fieldRulesCustomers", QT_TRANSLATE_NOOP("FieldsPage", "Customers")))
RULE_WORDS = {ownership.HIKE: QT_TRANSLATE_NOOP("FieldsPage", "Hike owns it"),
              ownership.BIGCOMMERCE: QT_TRANSLATE_NOOP("FieldsPage", "BigCommerce owns it"),
              ownership.NEWEST: QT_TRANSLATE_NOOP("FieldsPage", "The newest change wins"),
              ownership.NONE: QT_TRANSLATE_NOOP("FieldsPage", "Don't sync")}


def rule_words(rule: str) -> str:
    return QCoreApplication.translate(CONTEXT, RULE_WORDS[rule])


class FieldsPage(SettingsPage):
    title = QT_TRANSLATE_NOOP("SetupPage", "Fields")
    intro = QT_TRANSLATE_NOOP("SetupPage", "Which store's changes count for each product and customer field. The "
                                           "default is how Hike's article syncs it, under your choices on the other "
                                           "tabs.")

    def build(self) -> None:
        self.rules: dict[str, QComboBox] = {}
        self.first_name = {owned.key: owned.names[0] for owned in ownership.OWNED}  # whose default it shows
        for entity, name, title in GROUPS:
            group = QGroupBox(QCoreApplication.translate(CONTEXT, title))
            group.setObjectName(name)
            form = QFormLayout(group)
            for owned in ownership.owned_of(entity):
                combo = QComboBox()
                combo.setObjectName(f"fieldRule-{owned.key}")
                combo.addItem("", DEFAULT)  # worded in ``fill``: the default depends on the other tabs' choices
                for rule in ownership.RULES:
                    combo.addItem(rule_words(rule), rule)
                combo.currentIndexChanged.connect(self.changed)
                add_row(form, QCoreApplication.translate(CONTEXT, CAPTIONS[owned.key]), combo)
                self.rules[owned.key] = combo
            self.body.addWidget(group)
        self.body.addWidget(help_text(self.tr(
            "Hike owns it: Hike's changes go to BigCommerce, and a change made in BigCommerce stays there. "
            "BigCommerce owns it: the other way round. The newest change wins: either store's change goes to the "
            "other. Don't sync: each store keeps its own. A product or customer created in one store is still "
            "copied whole into the other; these rules decide what later changes do. Stock follows \u201cWhat "
            "syncs\u201d. A customer's email links it to the other store's customer and always syncs both ways.")))

    def fill(self, settings: Settings, facts: StoreFacts | None) -> None:
        for key, combo in self.rules.items():
            # a customer field syncs both ways unless the shop gives it a rule
            default = declared_rule(self.first_name[key], settings) if key in self.first_name else ownership.NEWEST
            combo.setItemText(0, self.tr("Default: {rule}").format(rule=rule_words(default)))
            combo.setCurrentIndex(max(combo.findData(settings.field_ownership.get(key, DEFAULT)), 0))

    def store(self, settings: Settings) -> None:
        settings.field_ownership = {key: combo.currentData() for key, combo in self.rules.items()
                                    if combo.currentData() != DEFAULT}

    def entered(self) -> None:
        self.reload()  # the defaults' words follow the other tabs' choices (descriptions, shipping, categories)
