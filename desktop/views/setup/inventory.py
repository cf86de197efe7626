"""Inventory: the Hike outlet BigCommerce stock comes from (S1), a separate online outlet (S3), combined stock of
several outlets (S4), and the BigCommerce location the stock is written to."""
from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt
from PySide6.QtWidgets import QCheckBox, QFormLayout, QGroupBox, QListWidget, QListWidgetItem, QVBoxLayout

from desktop.sync.settings import Settings, StoreFacts
from desktop.views.setup.page import SettingsPage
from desktop.views.setup.widgets import RefCombo, add_row, find_id, help_text


class InventoryPage(SettingsPage):
    title = QT_TRANSLATE_NOOP("SetupPage", "Inventory")
    intro = QT_TRANSLATE_NOOP("SetupPage", "Choose where the stock BigCommerce shows comes from, and where online "
                                           "orders are deducted.")

    def build(self) -> None:
        form = QFormLayout()
        self.outlet = RefCombo()
        self.outlet.setObjectName("inventoryOutlet")
        add_row(form, self.tr("Hike &outlet for inventory sync:"), self.outlet,
                self.tr("BigCommerce stock is taken from, and deducted from, this outlet."))
        form.addRow(help_text(self.tr("Select the outlet or physical inventory location your BigCommerce store deducts "
                              "inventory from. It could be one of your outlets or a central warehouse that you "
                              "dispatch online orders from.")))
        self.location = RefCombo()
        self.location.setObjectName("bigcommerceLocation")
        add_row(form, self.tr("BigCommerce &location:"), self.location,
                self.tr("The BigCommerce location whose stock levels the app keeps up to date."))
        self.body.addLayout(form)

        online = QGroupBox(self.tr("Separate inventory for online sales"))
        box = QVBoxLayout(online)
        self.separate = QCheckBox(self.tr("&Keep a separate eCommerce outlet for online orders"))
        self.separate.setObjectName("separateOnlineOutlet")
        self.ecommerce = RefCombo()
        self.ecommerce.setObjectName("ecommerceOutlet")
        self.ecommerce.setToolTip(self.tr("The Hike outlet whose order history receives BigCommerce orders."))
        box.addWidget(self.separate)
        box.addWidget(self.ecommerce)
        box.addWidget(help_text(self.tr("Create an outlet in Hike named \u201ceCommerce\u201d (or any name) and link "
                                        "it here. "
                                "Online orders appear in its order history as parked sales; pick and pack them "
                                "with your Hike register and mark them complete, and the BigCommerce order becomes "
                                "Shipped/Completed.")))
        self.body.addWidget(online)

        combined = QGroupBox(self.tr("Combined inventory"))
        box = QVBoxLayout(combined)
        self.combine = QCheckBox(self.tr("Show the &combined stock of several outlets in BigCommerce"))
        self.combine.setObjectName("combineOutlets")
        self.combined = QListWidget()
        self.combined.setObjectName("combinedOutlets")
        self.combined.setToolTip(self.tr("Tick every outlet whose stock is added up; the inventory outlet must be "
                                         "one."))
        self.combined.setMaximumHeight(110)
        box.addWidget(self.combine)
        box.addWidget(self.combined)
        box.addWidget(help_text(self.tr("Keep accepting online orders while an item is in stock at any chosen "
                                        "outlet. When "
                                "you dispatch from another outlet, make a transfer order to the fulfilment outlet "
                                "so its stock stays right.")))
        self.body.addWidget(combined)

        self.outlet.currentIndexChanged.connect(self.changed)
        self.location.currentIndexChanged.connect(self.changed)
        self.separate.toggled.connect(self.changed)
        self.ecommerce.currentIndexChanged.connect(self.changed)
        self.combine.toggled.connect(self.changed)
        self.combined.itemChanged.connect(self.changed)

    def fill(self, settings: Settings, facts: StoreFacts | None) -> None:
        outlets = [(o.id, o.name) for o in (facts.hike_outlets if facts else ()) if o.is_active]
        self.outlet.set_items(outlets)
        self.outlet.set_ref(settings.inventory_outlet)
        self.ecommerce.set_items(outlets)
        self.ecommerce.set_ref(settings.ecommerce_outlet)
        self.separate.setChecked(settings.ecommerce_outlet is not None)
        self.location.set_items([(loc.id, loc.label or loc.code) for loc in (facts.bc_locations if facts else ())])
        self.location.set_ref(settings.bigcommerce_location_id)
        chosen = {find_id(outlets, r) for r in settings.combined_inventory_outlets}
        self.combined.clear()
        for ident, name in outlets:
            item = QListWidgetItem(name)
            item.setData(Qt.ItemDataRole.UserRole, ident)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if ident in chosen else Qt.CheckState.Unchecked)
            self.combined.addItem(item)
        self.combine.setChecked(bool(settings.combined_inventory_outlets))
        self._enable()

    def _enable(self) -> None:
        self.ecommerce.setEnabled(self.separate.isChecked())
        self.combined.setEnabled(self.combine.isChecked())

    def store(self, settings: Settings) -> None:
        self._enable()
        if self.location.items:
            settings.bigcommerce_location_id = self.location.ref()
        if not self.outlet.items:
            return  # the stores' lists are not loaded: keep the outlets as saved rather than blank them
        settings.inventory_outlet = self.outlet.ref()
        settings.ecommerce_outlet = self.ecommerce.ref() if self.separate.isChecked() else None
        ticked = [self.combined.item(i) for i in range(self.combined.count())
                  if self.combined.item(i).checkState() == Qt.CheckState.Checked]
        settings.combined_inventory_outlets = ([item.data(Qt.ItemDataRole.UserRole) for item in ticked]
                                               if self.combine.isChecked() else [])

    def refresh_notes(self) -> None:
        if self.banner.kind == "error":
            return
        s = self.ctx.settings
        if s.combined_inventory_outlets and s.inventory_outlet not in s.combined_inventory_outlets:
            self.banner.show_message("warning", self.tr("Tick the inventory outlet among the combined outlets too: "
                                                        "online "
                                                "orders are deducted from it."))
        elif s.ecommerce_outlet is not None and s.ecommerce_outlet == s.inventory_outlet:
            self.banner.show_message("warning", self.tr("The separate online outlet can't be the inventory outlet "
                                                        "itself."))
        else:
            self.banner.clear_message()

