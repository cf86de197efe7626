"""What syncs which way (S9-S15), with Hike's recommended defaults and its warnings: full Hike sales to BigCommerce
are not recommended, fractional sales don't fit BigCommerce's whole-unit stock, manual stock edits in BigCommerce
never flow back. With stock going to BigCommerce, the safety stock held back from it (issue 20)."""
from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtWidgets import QCheckBox, QFormLayout, QGroupBox, QSpinBox, QVBoxLayout

from desktop.sync.settings import MAX_SAFETY_STOCK, Settings, StoreFacts
from desktop.sync.setup_checks import stock_differences
from desktop.views.setup.page import SettingsPage
from desktop.views.setup.widgets import Banner, action_row, add_row, help_text


# (attribute, object name, label, what it means) of each direction's options, in the order shown
TO_HIKE = (
    ("inventory_on_order",
     "bcInventoryOnOrder",
     QT_TRANSLATE_NOOP("DirectionsPage", "Update inventory in &Hike when an order is created in BigCommerce"),
     QT_TRANSLATE_NOOP("DirectionsPage", "The products in the order must already be synced. If you turn this back "
                                         "on after it was off, compare and reconcile stock in both stores first.")),
    ("full_orders",
     "bcFullOrders",
     QT_TRANSLATE_NOOP("DirectionsPage", "Send full BigCommerce &orders to Hike's sales history"),
     QT_TRANSLATE_NOOP("DirectionsPage", "Every product and the customer of an order must already be synced, or "
                                         "the order does not sync (the log says which item blocked it). Draft "
                                         "orders never sync; only orders placed after activation do.")),
    ("new_in_bc",
     "bcNewProducts",
     QT_TRANSLATE_NOOP("DirectionsPage", "Send new products &created in BigCommerce to Hike"),
     QT_TRANSLATE_NOOP("DirectionsPage", "To delete a linked product later, delete it in both stores.")),
    ("all_outlets",
     "visibleInAllOutlets",
     QT_TRANSLATE_NOOP("DirectionsPage", "Make products created in Hike &visible in all outlets"),
     QT_TRANSLATE_NOOP("DirectionsPage", "Otherwise they are visible only in the outlet connected to BigCommerce.")),
)
TO_BC = (
    ("inventory",
     "hikeInventory",
     QT_TRANSLATE_NOOP("DirectionsPage", "Update &inventory in BigCommerce when a sale, purchase order or "
                                         "stocktake changes Hike stock"),
     QT_TRANSLATE_NOOP("DirectionsPage", "Manage stock in Hike: manual stock edits in BigCommerce never flow back "
                                         "to Hike. BigCommerce stock is whole units, so products sold in fractions "
                                         "in Hike will show wrong stock there; test carefully first.")),
    ("new_in_hike",
     "hikeNewProducts",
     QT_TRANSLATE_NOOP("DirectionsPage", "Send new &products in Hike to BigCommerce"),
     QT_TRANSLATE_NOOP("DirectionsPage", "Only products with the eCommerce sales channel on (inactive ones too). "
                                         "Composite products are not sent; their component products are.")),
    ("hike_orders",
     "hikeFullOrders",
     QT_TRANSLATE_NOOP("DirectionsPage", "Send full Hike &sales to BigCommerce (not recommended)"),
     QT_TRANSLATE_NOOP("DirectionsPage", "Hike does not recommend this: managing orders in Hike keeps inventory "
                                         "faster and more accurate. Products must be synced; sales from every "
                                         "outlet are sent but stock moves only for the inventory outlet; exchanges "
                                         "are not sent as orders (their stock effect is).")),
)


class DirectionsPage(SettingsPage):
    title = QT_TRANSLATE_NOOP("SetupPage", "What syncs which way")
    intro = QT_TRANSLATE_NOOP("SetupPage", "The recommended choices are already ticked. Each note says what a choice "
                                           "needs.")

    def _option(self, box: QVBoxLayout, name: str, label: str, note: str) -> QCheckBox:
        label, note = self.tr(label), self.tr(note)  # marked where TO_HIKE and TO_BC are defined
        check = QCheckBox(label)
        check.setObjectName(name)
        check.setToolTip(note)
        box.addWidget(check)
        text = help_text(note)
        text.setContentsMargins(24, 0, 0, 6)
        box.addWidget(text)
        check.toggled.connect(self.changed)
        return check

    def build(self) -> None:
        for title, options in ((self.tr("BigCommerce \u2192 Hike"), TO_HIKE),
                               (self.tr("Hike \u2192 BigCommerce"), TO_BC)):
            group = QGroupBox(title)
            box = QVBoxLayout(group)
            for attribute, name, label, note in options:
                setattr(self, attribute, self._option(box, name, label, note))
                if attribute == "inventory":
                    self._safety_stock(box)
            self.body.addWidget(group)
        self.warning = Banner()
        self.warning.setObjectName("directionsWarning")
        self.body.addWidget(self.warning)
        # S9: offered when "Update inventory in Hike" goes back on; reads both stores off the GUI thread
        self.compare_button = action_row(
            self.body, self.tr("Co&mpare stock now"), "compareStock", self.compare_stock,
            self.tr("Lists the synced products whose stock differs between Hike and BigCommerce."))
        self.compare_result = help_text("")
        self.compare_result.setObjectName("compareStockResult")
        self.body.addWidget(self.compare_result)
        self.compare_button.hide()
        self.compare_result.hide()

    def _safety_stock(self, box: QVBoxLayout) -> None:
        """Units of every product BigCommerce never gets, under the stock option they belong to."""
        form = QFormLayout()
        form.setContentsMargins(24, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)  # a number, not a page wide
        self.safety_stock = QSpinBox()
        self.safety_stock.setObjectName("safetyStock")
        self.safety_stock.setRange(0, MAX_SAFETY_STOCK)
        self.safety_stock.setSuffix(self.tr(" units of each product"))
        self.safety_stock.valueChanged.connect(self.changed)
        add_row(form, self.tr("Hold bac&k from BigCommerce:"), self.safety_stock,
                self.tr("Safety stock: BigCommerce gets Hike's stock less this, never below zero."))
        box.addLayout(form)
        text = help_text(self.tr("BigCommerce gets Hike's stock less these units, never below zero, so the last "
                                 "few are kept for the till. Changing it sends every level again on the next sync. "
                                 "One product can have its own, from the command line: "
                                 "hike-bc-sync-cli safety-stock SKU N."))
        text.setContentsMargins(24, 0, 0, 6)
        box.addWidget(text)
        self.inventory.toggled.connect(self.safety_stock.setEnabled)

    def fill(self, settings: Settings, facts: StoreFacts | None) -> None:
        self.inventory_on_order.setChecked(settings.bc_to_hike.inventory_on_order)
        self.full_orders.setChecked(settings.bc_to_hike.full_orders)
        self.new_in_bc.setChecked(settings.bc_to_hike.new_products)
        self.all_outlets.setChecked(settings.product_visibility_all_outlets)
        # S12 only matters with several outlets (Hike shows it only then)
        several = facts is not None and sum(o.is_active for o in facts.hike_outlets) > 1
        self.all_outlets.setVisible(several)
        self.all_outlets.setEnabled(settings.bc_to_hike.new_products)
        self.inventory.setChecked(settings.hike_to_bc.inventory)
        self.safety_stock.setValue(settings.safety_stock.buffer)
        self.safety_stock.setEnabled(settings.hike_to_bc.inventory)
        self.new_in_hike.setChecked(settings.hike_to_bc.new_products)
        self.hike_orders.setChecked(settings.hike_to_bc.full_orders)

    def store(self, settings: Settings) -> None:
        settings.bc_to_hike.inventory_on_order = self.inventory_on_order.isChecked()
        settings.bc_to_hike.full_orders = self.full_orders.isChecked()
        settings.bc_to_hike.new_products = self.new_in_bc.isChecked()
        settings.product_visibility_all_outlets = self.all_outlets.isChecked()
        self.all_outlets.setEnabled(self.new_in_bc.isChecked())
        settings.hike_to_bc.inventory = self.inventory.isChecked()
        settings.safety_stock.buffer = self.safety_stock.value()
        settings.hike_to_bc.new_products = self.new_in_hike.isChecked()
        settings.hike_to_bc.full_orders = self.hike_orders.isChecked()

    def refresh_notes(self) -> None:
        s = self.ctx.settings
        notes = []
        if s.hike_to_bc.full_orders:
            notes.append(self.tr("Sending full Hike sales to BigCommerce is not recommended by Hike."))
        saved = self.ctx.saved_settings
        if saved is not None and not saved.bc_to_hike.inventory_on_order and s.bc_to_hike.inventory_on_order:
            notes.append(self.tr("You are turning \u201cUpdate inventory in Hike\u201d back on: before the next sync, "
                                 "compare stock levels in Hike and BigCommerce and correct any that differ (Hike's "
                                 "advice), as orders placed while it was off did not change Hike's stock."))
        if not s.bc_to_hike.inventory_on_order:
            notes.append(self.tr("With \u201cUpdate inventory in Hike\u201d off, stock may stop matching between the "
                                 "stores."))
        if not s.hike_to_bc.inventory:
            notes.append(self.tr("With \u201cUpdate inventory in BigCommerce\u201d off, BigCommerce stock is not kept "
                                 "up to date."))
        reenabled = saved is not None and not saved.bc_to_hike.inventory_on_order and s.bc_to_hike.inventory_on_order
        self.compare_button.setVisible(reenabled)
        self.compare_result.setVisible(reenabled and bool(self.compare_result.text()))
        if notes:
            self.warning.show_message("warning", "\n".join(notes))
        else:
            self.warning.clear_message()

    def compare_stock(self) -> None:
        """S9: the linked products whose stock differs, so the manager can correct them before orders move Hike's."""
        ctx = self.ctx
        if ctx.facts is None:
            self._compared_failed(self.tr("The stores' lists are not loaded yet: wait for them, then compare."))
            return
        settings = Settings.from_json(ctx.settings.to_json())

        facts = ctx.facts

        def work() -> list:
            return stock_differences(ctx.credentials, settings, facts)

        self.compare_button.setEnabled(False)
        self.compare_result.setText(self.tr("Reading the stock of both stores…"))
        self.compare_result.show()
        ctx.background.run(work, self._compared, lambda exc: self._compared_failed(str(exc)))

    def _compared(self, differences: list) -> None:
        self.compare_button.setEnabled(True)
        if not differences:
            self.compare_result.setText(self.tr("Stock agrees on every synced product."))
            return
        shown = "\n".join(d.message for d in differences[:10])
        more = self.tr("\n… and {count} more (hike-bc-sync-cli compare-stock lists them all)").format(
            count=len(differences) - 10) if len(differences) > 10 else ""
        self.compare_result.setText(self.tr("{count} synced products have different stock. Correct them in Hike (or "
                                            "BigCommerce) before the next sync:\n{shown}{more}").format(
            count=len(differences), shown=shown, more=more))

    def _compared_failed(self, message: str) -> None:
        self.compare_button.setEnabled(True)
        self.compare_result.setText(self.tr("The stock could not be compared: {message}").format(message=message))
        self.compare_result.show()
