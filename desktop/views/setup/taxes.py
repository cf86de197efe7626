"""Taxes: each Hike tax to a BigCommerce tax class, the shipping line's tax (S2, D6), and whether both stores
enter prices the same way, with what to change on which side when they don't (P2)."""
from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtWidgets import QCheckBox, QFormLayout, QHeaderView, QTableWidget

from desktop.sync.preflight import TaxCheck
from desktop.sync.settings import DEFAULT_TAX_CLASS_ID, DEFAULT_TAX_CLASS_NAME, Settings, StoreFacts
from desktop.views.setup.page import SettingsPage
from desktop.views.setup.widgets import Banner, RefCombo, add_row, find_id, fit_rows, help_text, mapping_row


def tax_classes(facts: StoreFacts | None) -> list[tuple[int, str]]:
    """BigCommerce's classes, with its built-in default class (id 0), which its API does not always list."""
    classes = [(c.id, c.name) for c in (facts.bc_tax_classes if facts else ())]
    if facts and not any(i == DEFAULT_TAX_CLASS_ID for i, _ in classes):
        classes.insert(0, (DEFAULT_TAX_CLASS_ID, DEFAULT_TAX_CLASS_NAME))
    return classes


class TaxesPage(SettingsPage):
    title = QT_TRANSLATE_NOOP("SetupPage", "Taxes")
    intro = (QT_TRANSLATE_NOOP("SetupPage", "\u2018Hike tax\u2019 lists the sales taxes set in Hike; "
                                            "\u2018BigCommerce tax class\u2019 lists the tax "
             "classes set in BigCommerce. Map each pair so orders carry the right tax amounts. Create the taxes you "
             "need in both stores first."))

    def build(self) -> None:
        self.table = QTableWidget(0, 2)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table, arrows move in it: no keyboard trap
        self.table.setObjectName("taxMap")
        self.table.setHorizontalHeaderLabels([self.tr("Hike tax"), self.tr("BigCommerce tax class")])
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.table.setToolTip(self.tr("Choose the BigCommerce tax class for every Hike tax your products use."))
        self.table.setAccessibleName(self.tr("Tax mapping"))
        self.body.addWidget(self.table)
        self.combos: dict[int, RefCombo] = {}

        form = QFormLayout()
        # no "none" entry (issue 17, finding 5): a sale's shipping line needs a Hike tax; shipping without tax is
        # Hike's own zero-rate tax ("No Tax"), chosen like any other
        self.shipping = RefCombo()
        self.shipping.setObjectName("shippingTax")
        add_row(form, self.tr("Shipping &tax for invoices:"), self.shipping,
                self.tr("The Hike tax of the extra shipping line a BigCommerce order brings (Hike takes only its "
                        "total). "
                "For shipping without tax, choose Hike's zero-rate tax."))
        self.body.addLayout(form)

        self.inclusive = QCheckBox(self.tr("Hike's \u201cT&ax inclusive prices\u201d is ticked (Setup \u203a General "
                                           "rules)"))
        self.inclusive.setObjectName("taxInclusive")
        self.inclusive.setToolTip(self.tr("Hike's API does not tell the app this rule: tick it to match your Hike "
                                          "setup."))
        self.body.addWidget(self.inclusive)
        self.tax_check = Banner()
        self.tax_check.setObjectName("taxCheck")
        self.body.addWidget(self.tax_check)
        self.body.addWidget(help_text(self.tr("Prices sync without tax or with tax according to this rule, so both "
                                              "stores "
                                      "must enter prices the same way, or prices differ by the tax amount.")))

        self.shipping.currentIndexChanged.connect(self.changed)
        self.inclusive.toggled.connect(self.changed)

    def fill(self, settings: Settings, facts: StoreFacts | None) -> None:
        classes = tax_classes(facts)
        in_use = facts.hike_taxes_in_use if facts else None
        taxes = [t for t in (facts.hike_taxes if facts else ())
                 if (t.id in in_use if in_use is not None else t.is_active)]
        self.table.setRowCount(len(taxes))
        self.combos = {}
        chosen = {find_id([(t.id, t.name) for t in taxes], key): value for key, value in settings.tax_map.items()}
        for row, tax in enumerate(taxes):
            self.combos[tax.id] = mapping_row(
                self.table, row, self.tr("{name} ({rate:f}%)").format(name=tax.name, rate=tax.rate.normalize()),
                f"taxClass-{tax.id}", self.tr("BigCommerce tax class for {name}").format(name=tax.name),
                classes, chosen.get(tax.id), self.changed)
        fit_rows(self.table)
        self.shipping.set_items([(t.id, t.name) for t in (facts.hike_taxes if facts else ()) if t.is_active])
        self.shipping.set_ref(settings.shipping_tax)
        self.inclusive.setChecked(settings.tax_inclusive)

    def store(self, settings: Settings) -> None:
        if self.combos:  # without the stores' lists keep what was saved
            settings.tax_map = {str(tax_id): combo.ref() for tax_id, combo in self.combos.items()
                                if combo.ref() is not None}
        if self.shipping.items:  # without the stores' lists keep what was saved
            settings.shipping_tax = self.shipping.ref()
        settings.tax_inclusive = self.inclusive.isChecked()

    def refresh_notes(self) -> None:
        facts = self.ctx.facts
        if facts is None or facts.bc_prices_inc_tax is None:
            self.tax_check.clear_message()
            return
        check = TaxCheck(self.ctx.settings.tax_inclusive, facts.bc_prices_inc_tax)
        self.tax_check.show_message("ok" if check.consistent else "warning", check.message)
