"""The Save button and, beside it, why it is disabled (C5): every mandatory setting still missing, in words.

Used as the wizard's last step (``SavePage``) and at the bottom of Manage (``SaveBar`` alone).
"""
from __future__ import annotations

from html import escape

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from desktop.sync.settings import Settings, StoreFacts
from desktop.views.setup.context import SetupContext
from desktop.views.setup.page import SetupPage
from desktop.views.setup.taxes import tax_classes
from desktop.views.setup.widgets import Banner, WrapLabel, find_id


class SaveBar(QWidget):
    saveRequested = Signal()
    problemActivated = Signal(str)  # a missing item's link (``links``): the Problem's key

    def __init__(self, ctx: SetupContext, label: str = "&Save", parent: QWidget | None = None, *,
                 links: bool = False):
        super().__init__(parent)
        self.ctx = ctx
        self.links = links
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.missing = WrapLabel()
        self.missing.setObjectName("missingList")
        self.missing.setTextFormat(Qt.TextFormat.RichText)
        self.missing.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction if links
                                             else Qt.TextInteractionFlag.TextSelectableByMouse)
        self.missing.linkActivated.connect(self.problemActivated)
        self.save = QPushButton(label)
        self.save.setObjectName("saveSettings")
        self.save.clicked.connect(self.saveRequested)
        layout.addWidget(self.missing, 1)
        layout.addWidget(self.save, 0, Qt.AlignmentFlag.AlignTop)
        ctx.settingsChanged.connect(self.refresh)
        ctx.factsChanged.connect(self.refresh)
        ctx.connectionsChanged.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        missing = self.ctx.missing()
        self.save.setEnabled(not missing)
        if missing and self.links:  # the wizard: each item opens its step
            items = "".join(f"<li><a href=\"{escape(p.key or 'stores')}\">{escape(p.message)}</a></li>"
                            for p in missing)
            self.missing.setText(self.tr("<b>Still needed before saving</b> (each opens its step):<ul "
                                         "style=\"margin:0\">{items}</ul>").format(items=items))
            self.save.setToolTip(self.tr("Complete the items listed on this page first."))
        elif missing:
            items = "".join(f"<li>{escape(p.message)}</li>" for p in missing)
            self.missing.setText(self.tr("<b>Save is not available yet:</b><ul style=\"margin:0\">{items}</ul>").format(
                items=items))
            self.save.setToolTip(self.tr("Complete the items listed beside this button first."))
        else:
            self.missing.setText(self.tr("Everything needed is set."))
            self.save.setToolTip(self.tr("Save these settings; the first sync then starts in the background."))

    def missing_messages(self) -> list[str]:
        return [p.message for p in self.ctx.missing()]


def _name(items: list[tuple[int, str]], ref: object) -> str:
    if ref is None:
        return SavePage.tr("none")
    ident = find_id(items, ref)  # type: ignore[arg-type]
    return next((n for i, n in items if i == ident), str(ref))


def summary_lines(settings: Settings, facts: StoreFacts | None) -> list[str]:
    """The choices in a few lines, with the stores' names for their objects."""
    outlets = [(o.id, o.name) for o in (facts.hike_outlets if facts else ())]
    taxes = [(t.id, t.name) for t in (facts.hike_taxes if facts else ())]
    classes = tax_classes(facts)
    on = {True: SavePage.tr("on"), False: SavePage.tr("off")}
    outlet = SavePage.tr("Inventory outlet: {outlet}").format(outlet=_name(outlets, settings.inventory_outlet))
    if settings.ecommerce_outlet is not None:
        outlet += SavePage.tr("; online orders land in {outlet}").format(
            outlet=_name(outlets, settings.ecommerce_outlet))
    if settings.combined_inventory_outlets:
        outlet += SavePage.tr("; combined stock of {outlets}").format(
            outlets=", ".join(_name(outlets, r) for r in settings.combined_inventory_outlets))
    mapped = ", ".join(f"{_name(taxes, k)} \u2192 {_name(classes, v)}" for k, v in settings.tax_map.items())
    return [outlet,
            SavePage.tr("Taxes: {taxes}; shipping: {shipping}").format(
                taxes=mapped or SavePage.tr("not mapped"), shipping=_name(taxes, settings.shipping_tax)),
            SavePage.tr("Payments: all as \u201cBigCommerce\u201d")
            if settings.payment_mapping.mode == "all_as_bigcommerce"
            else SavePage.tr("Payments: {count} methods mapped").format(count=len(settings.payment_mapping.map)),
            SavePage.tr("Hike's retail price \u2192 BigCommerce {price}").format(
                price=settings.price_type.replace("_", " ")),
            SavePage.tr("BigCommerce \u2192 Hike: stock on orders {stock}, full orders {orders}, new products "
                        "{products}").format(
                stock=on[settings.bc_to_hike.inventory_on_order], orders=on[settings.bc_to_hike.full_orders],
                products=on[settings.bc_to_hike.new_products]),
            SavePage.tr("Hike \u2192 BigCommerce: stock {stock}, new products {products}, full sales {sales}").format(
                stock=on[settings.hike_to_bc.inventory], products=on[settings.hike_to_bc.new_products],
                sales=on[settings.hike_to_bc.full_orders]),
            SavePage.tr("Sync every {minutes} minutes").format(minutes=settings.schedule_minutes)]


class SavePage(SetupPage):
    title = QT_TRANSLATE_NOOP("SetupPage", "Save and start syncing")
    intro = (QT_TRANSLATE_NOOP("SetupPage", "Saving stores these settings and starts the first sync in the "
                                            "background. Depending on how many "
             "products and customers each store has, it may take a while; you can follow it on the main window."))

    def build(self) -> None:
        self.summary = WrapLabel()
        self.summary.setObjectName("settingsSummary")
        self.body.addWidget(self.summary)
        self.warnings = Banner()
        self.warnings.setObjectName("settingsWarnings")
        self.body.addWidget(self.warnings)
        self.bar = SaveBar(self.ctx, self.tr("&Save and start syncing"), links=True)  # the wizard moves its button
        column = QVBoxLayout()
        column.addWidget(self.bar)
        self.body.addLayout(column)
        self.ctx.settingsChanged.connect(self._warnings)
        self.ctx.factsChanged.connect(self._warnings)
        self._warnings()

    def entered(self) -> None:
        self.bar.refresh()
        self._warnings()

    def _warnings(self) -> None:
        login = self.tr("Starts when you log in: yes") if self.ctx.start_at_login else \
            self.tr("Starts when you log in: no (Preferences)")
        lines = [*summary_lines(self.ctx.settings, self.ctx.facts), login]
        self.summary.setText("\n".join(f"\u2022 {line}" for line in lines))
        notes = [p.message for p in self.ctx.problems() if not p.mandatory]
        if notes:
            self.warnings.show_message("warning", self.tr("Worth a look before saving:\n\u2022 {notes}").format(
                notes="\n\u2022 ".join(notes)))
        else:
            self.warnings.clear_message()
