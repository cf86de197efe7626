"""Preferences: description (S16) and image (S17) direction, products without SKU (S18), categories (S19, shown
only when new Hike products go to BigCommerce), shipping details (S6) and the schedule (S20)."""
from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtWidgets import QCheckBox, QFormLayout, QGroupBox, QSpinBox, QVBoxLayout

from desktop.sync.settings import (HIKE_CALLS_PER_DAY, MAX_SCHEDULE_MINUTES, MIN_SCHEDULE_MINUTES, Settings,
                                   StoreFacts)
from desktop.views.setup.page import SettingsPage
from desktop.views.setup.widgets import Banner, add_row, help_text, radio_choices


class _Choice(QGroupBox):
    """A titled group of radio buttons, each with its meaning underneath."""

    def __init__(self, title: str, name: str, choices: tuple[tuple[str, str, str], ...], note: str = ""):
        super().__init__(title)
        self.setObjectName(name)
        box = QVBoxLayout(self)
        self.group, self.buttons = radio_choices(self, box, name, choices)
        if note:
            box.addWidget(help_text(note))

    def set_value(self, value: str) -> None:
        self.buttons.get(value, next(iter(self.buttons.values()))).setChecked(True)

    def value(self) -> str:
        return next(v for v, b in self.buttons.items() if b.isChecked())


class PreferencesPage(SettingsPage):
    title = QT_TRANSLATE_NOOP("SetupPage", "Preferences")
    intro = QT_TRANSLATE_NOOP("SetupPage", "How descriptions, images, SKUs and categories sync, and how often the "
                                           "app looks for changes.")

    def build(self) -> None:
        self.description = _Choice(self.tr("Product description"), "descriptionSync", (
            ("bc_to_hike", self.tr("Sync descriptions from BigCommerce to Hike only (recommended)"),
             self.tr("BigCommerce descriptions keep their HTML layout; Hike gets them as plain text.")),
            ("two_way", self.tr("Sync descriptions both ways"),
             self.tr("A description edited in Hike replaces BigCommerce's, HTML layout included."))))
        self.images = _Choice(self.tr("Product images"), "imageSync", (
            ("bc_to_hike", self.tr("Sync images from BigCommerce to Hike only (recommended)"),
             self.tr("Keep high-resolution images in BigCommerce. A new Hike product's image still goes to BigCommerce "
             "once.")),
            ("two_way", self.tr("Sync images both ways"), "")),
            note=self.tr("Hike shows images up to 500 \u00d7 500 pixels: images going to Hike are scaled to fit. When "
                 "products are first linked, a Hike product without images gets BigCommerce's; one with its own "
                 "keeps them."))
        self.non_sku = _Choice(self.tr("Products without SKU"), "nonSkuProducts", (
            ("auto_assign", self.tr("Sync products without SKU and auto-assign SKU numbers"),
             self.tr("A stable, unique SKU is created for each and remembered.")),
            ("skip", self.tr("Do not sync products without SKU and their sales orders"),
             self.tr("Useful to create those products yourself and give them your own SKUs."))))
        self.categories = _Choice(self.tr("Category sync (new Hike products)"), "categorySync", (
            ("match_or_create", self.tr("Match categories by name, create the missing ones"), ""),
            ("match_only", self.tr("Match existing categories by name only"), ""),
            ("none", self.tr("Don't assign categories"), "")),
            note=self.tr("How Hike product types become BigCommerce categories."))
        for choice in (self.description, self.images, self.non_sku, self.categories):
            self.body.addWidget(choice)
            for button in choice.buttons.values():
                button.toggled.connect(self.changed)

        self.shipping = QCheckBox(self.tr("Sync &shipping details (weight and dimensions) both ways"))
        self.shipping.setObjectName("shippingDetails")
        self.shipping.setToolTip(self.tr("Needs \u201cDisplay e-commerce related fields in product add/edit\u201d on "
                                         "in Hike."))
        self.shipping.toggled.connect(self.changed)
        self.body.addWidget(self.shipping)

        form = QFormLayout()
        self.schedule = QSpinBox()
        self.schedule.setObjectName("scheduleMinutes")
        self.schedule.setRange(1, MAX_SCHEDULE_MINUTES)  # below 5 shows why it is refused; above a day is refused
        self.schedule.setSuffix(self.tr(" minutes"))
        self.schedule.valueChanged.connect(self.changed)
        add_row(form, self.tr("Sync &every:"), self.schedule,
                self.tr("Hike allows {HIKE_CALLS_PER_DAY} API calls a day, shared with your other apps: "
                        "{MIN_SCHEDULE_MINUTES} minutes is the shortest interval.").format(
                            HIKE_CALLS_PER_DAY=HIKE_CALLS_PER_DAY, MIN_SCHEDULE_MINUTES=MIN_SCHEDULE_MINUTES))
        self.body.addLayout(form)
        self.body.addWidget(help_text(self.tr("Pause, resume and \u201cSync now\u201d for products, customers or "
                                              "sales are "
                                      "on the main window once the settings are saved.")))
        self.schedule_note = Banner()
        self.schedule_note.setObjectName("scheduleNote")
        self.body.addWidget(self.schedule_note)

        # not a sync setting: the entry the system starts programs from (``desktop.autostart``), set on Save
        self.start_at_login = QCheckBox(self.tr("Start the app when I &log in to this computer"))
        self.start_at_login.setObjectName("startAtLogin")
        self.start_at_login.setToolTip(self.tr("It starts minimised: in the tray when the desktop has one, otherwise "
                                               "as a "
                                       "small window. Syncing needs the app running."))
        self.start_at_login.setChecked(self.ctx.start_at_login)
        self.start_at_login.toggled.connect(self._start_at_login_toggled)
        self.body.addWidget(self.start_at_login)
        self.login_note = help_text("")
        self.body.addWidget(self.login_note)
        self._describe_login_entry()

    def _start_at_login_toggled(self, on: bool) -> None:
        self.ctx.start_at_login = on
        self.changed()  # the Save page's summary and Manage's unsaved-edits check follow

    def _describe_login_entry(self) -> None:
        entry = self.ctx.login_entry
        self.login_note.setVisible(entry.on and not entry.ours)  # another install's entry: say what it starts
        # the same words as ``autostart.describe`` (the command line's), in the window's language
        if not entry.on:
            text = self.tr("Off: the app does not start when you log in.")
        elif entry.ours:
            text = self.tr("On: the app starts when you log in ({where}).").format(where=entry.where)
        else:
            text = self.tr("On, but starts {command} ({where}), not this copy of the app.").format(
                command=" ".join(entry.command), where=entry.where)
        self.login_note.setText(text)

    def fill(self, settings: Settings, facts: StoreFacts | None) -> None:
        self.description.set_value(settings.description_sync)
        self.images.set_value(settings.image_sync)
        self.non_sku.set_value(settings.non_sku_products)
        self.categories.set_value(settings.category_sync)
        self.categories.setVisible(settings.hike_to_bc.new_products)
        self.shipping.setChecked(settings.shipping_details)
        # within the box's range: an older version may have saved 10**10, which a C int spin box cannot even take
        self.schedule.setValue(max(1, min(settings.schedule_minutes, MAX_SCHEDULE_MINUTES)))

    def entered(self) -> None:
        self.categories.setVisible(self.ctx.settings.hike_to_bc.new_products)  # S19 follows S14

    def store(self, settings: Settings) -> None:
        settings.description_sync = self.description.value()
        settings.image_sync = self.images.value()
        settings.non_sku_products = self.non_sku.value()
        settings.category_sync = self.categories.value()
        settings.shipping_details = self.shipping.isChecked()
        settings.schedule_minutes = self.schedule.value()

    def refresh_notes(self) -> None:
        problems = [p for p in self.ctx.settings.validate() if p.key == "schedule_minutes"]
        if problems:
            self.schedule_note.show_message("error" if problems[0].mandatory else "warning", problems[0].message)
        else:
            self.schedule_note.clear_message()
