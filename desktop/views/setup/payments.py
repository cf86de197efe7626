"""Payments: every BigCommerce payment as Hike's "BigCommerce" payment type, or each method to its own type (S5);
optionally a Hike register the payments are recorded on, with Hike's advice for a dedicated one (S8)."""
from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtWidgets import QButtonGroup, QCheckBox, QGroupBox, QHeaderView, QRadioButton, QTableWidget, QVBoxLayout

from desktop.sync.settings import BIGCOMMERCE_PAYMENT_TYPE, Settings, StoreFacts
from desktop.views.setup.page import SettingsPage
from desktop.views.setup.widgets import Banner, RefCombo, fit_rows, find_id, help_text, mapping_row


class PaymentsPage(SettingsPage):
    title = QT_TRANSLATE_NOOP("SetupPage", "Payments")
    intro = QT_TRANSLATE_NOOP("SetupPage", "Choose how BigCommerce payments appear in Hike, and optionally the "
                                           "register they are recorded on.")

    def build(self) -> None:
        mapping = QGroupBox(self.tr("Payment mapping"))
        box = QVBoxLayout(mapping)
        self.all_as_bc = QRadioButton(self.tr("Map &all payments in Hike as ‘{BIGCOMMERCE_PAYMENT_TYPE}’").format(
            BIGCOMMERCE_PAYMENT_TYPE=BIGCOMMERCE_PAYMENT_TYPE))
        self.all_as_bc.setObjectName("paymentsAllAsBigCommerce")
        self.all_as_bc.setToolTip(self.tr("Card or cash, every BigCommerce payment shows in Hike as the payment type "
                                          "“{BIGCOMMERCE_PAYMENT_TYPE}”.").format(
                                              BIGCOMMERCE_PAYMENT_TYPE=BIGCOMMERCE_PAYMENT_TYPE))
        self.per_method = QRadioButton(self.tr("Map &each BigCommerce payment method to a Hike payment type"))
        self.per_method.setObjectName("paymentsPerMethod")
        self.per_method.setToolTip(self.tr("Cash with cash, card with card, and so on."))
        group = QButtonGroup(self)
        group.addButton(self.all_as_bc)
        group.addButton(self.per_method)
        box.addWidget(self.all_as_bc)
        box.addWidget(self.per_method)
        self.table = QTableWidget(0, 2)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table, arrows move in it: no keyboard trap
        self.table.setObjectName("paymentMap")
        self.table.setHorizontalHeaderLabels([self.tr("BigCommerce payment method"), self.tr("Hike payment type")])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.table.setAccessibleName(self.tr("Payment method mapping"))
        box.addWidget(self.table)
        self.payment_note = Banner()
        self.payment_note.setObjectName("paymentNote")
        box.addWidget(self.payment_note)
        self.body.addWidget(mapping)
        self.combos: dict[str, RefCombo] = {}

        register = QGroupBox(self.tr("Register for payments"))
        box = QVBoxLayout(register)
        self.use_register = QCheckBox(self.tr("Record BigCommerce payments on a Hike &register"))
        self.use_register.setObjectName("useRegister")
        self.use_register.setToolTip(self.tr("The day's BigCommerce payments then appear in that register's closing "
                                             "summary."))
        self.register = RefCombo()
        self.register.setObjectName("paymentRegister")
        self.register.setToolTip(self.tr("Registers of the outlet where BigCommerce orders land."))
        box.addWidget(self.use_register)
        box.addWidget(self.register)
        box.addWidget(help_text(self.tr("Hike recommends a separate register only for online sales: it shows online "
                                "payments clearly, and a sale arriving from BigCommerce after the register was "
                                "closed re-opens it. Close that register daily, or at least within 5 days.")))
        self.body.addWidget(register)

        self.all_as_bc.toggled.connect(self.changed)
        self.use_register.toggled.connect(self.changed)
        self.register.currentIndexChanged.connect(self.changed)

    def fill(self, settings: Settings, facts: StoreFacts | None) -> None:
        pm = settings.payment_mapping
        (self.per_method if pm.mode == "per_method" else self.all_as_bc).setChecked(True)
        types = [(p.id, p.name) for p in (facts.hike_payment_types if facts else ()) if p.is_active]
        methods = list(facts.bc_payment_methods) if facts else list(pm.map)
        self.table.setRowCount(len(methods))
        self.combos = {}
        for row, method in enumerate(methods):
            saved = next((v for k, v in pm.map.items() if k.strip().casefold() == method.strip().casefold()), None)
            self.combos[method] = mapping_row(self.table, row, method, f"paymentType-{method}",
                                              self.tr("Hike payment type for {method}").format(
                                                  method=method), types, saved, self.changed)
        fit_rows(self.table)
        self._fill_registers(settings, facts)
        self.use_register.setChecked(settings.payment_register is not None)
        self._enable()

    def _fill_registers(self, settings: Settings, facts: StoreFacts | None) -> None:
        """Only the registers of the outlet where BigCommerce orders land (a register belongs to one outlet)."""
        outlets = [(o.id, o.name) for o in (facts.hike_outlets if facts else ())]
        outlet = find_id(outlets, settings.order_outlet)
        registers = [(r.id, r.name) for r in (facts.hike_registers if facts else ())
                     if r.is_active and (outlet is None or r.outlet_id == outlet)]
        self.register.set_items(registers)
        self.register.set_ref(settings.payment_register)

    def _enable(self) -> None:
        self.table.setEnabled(self.per_method.isChecked())
        self.register.setEnabled(self.use_register.isChecked())

    def entered(self) -> None:
        # the inventory page may have changed the outlet orders land in
        self._filling = True
        try:
            self._fill_registers(self.ctx.settings, self.ctx.facts)
        finally:
            self._filling = False
        self.changed()

    def store(self, settings: Settings) -> None:
        self._enable()
        pm = settings.payment_mapping
        pm.mode = "per_method" if self.per_method.isChecked() else "all_as_bigcommerce"
        if self.combos:
            pm.map = {method: combo.ref() for method, combo in self.combos.items() if combo.ref() is not None}
        if not self.use_register.isChecked():
            settings.payment_register = None
        elif self.register.items:  # without the stores' lists keep what was saved
            settings.payment_register = self.register.ref()

    def refresh_notes(self) -> None:
        facts = self.ctx.facts
        if facts is None or self.per_method.isChecked():
            self.payment_note.clear_message()
            return
        has_type = any(p.name.strip().casefold() == BIGCOMMERCE_PAYMENT_TYPE.casefold() and p.is_active
                       for p in facts.hike_payment_types)
        if has_type:
            self.payment_note.show_message("ok", self.tr("Hike has the payment type “{name}”.").format(
                name=BIGCOMMERCE_PAYMENT_TYPE))
        else:
            self.payment_note.show_message("warning", self.tr(
                "Hike has no active payment type named “{name}”: add it in Hike (Setup › Payment types), or map "
                "each method.").format(name=BIGCOMMERCE_PAYMENT_TYPE))
