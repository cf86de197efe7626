"""The shapes of the records the clients read (``shapes``), field by field, as ``hike_models`` and ``bigcommerce``
read them. Needed: the sync cannot handle the record without it (ids, names, SKUs, the prices and stock it syncs);
optional: the client takes the default named here.

Hike facts carry the trust tags of ``../shared/reference/hike/API-NOTES.md`` where the notes give one; a field the
notes do not name is [I] (read because other clients read it). Money and quantities Hike sends as numbers or as
numbers in text ([S]: ``"price_ex_tax": "111.11"``): ``NUMBER_OR_TEXT`` takes both.
"""
from __future__ import annotations

from desktop.sync.shapes import FieldShape as F
from desktop.sync.shapes import Kind, RecordShape

INT, NUM, TEXT, BOOL, DATE, LIST, OBJ = Kind.INT, Kind.NUMBER, Kind.TEXT, Kind.BOOL, Kind.DATE, Kind.LIST, Kind.OBJECT
NUMBER_OR_TEXT = Kind.NUMERIC


def hike(what: str, *fields: F) -> RecordShape:
    return RecordShape("hike", what, tuple(fields))


def bigcommerce(what: str, *fields: F) -> RecordShape:
    return RecordShape("bigcommerce", what, tuple(fields), exact=True)


# -- Hike ----------------------------------------------------------------------------------------------------------
HIKE_OUTLET_ROW = hike(
    "Hike product outlet rows",
    F("outlet_id", INT, needed=True, spellings=("outletId",)),
    F("price_ex_tax", NUMBER_OR_TEXT, default="no price (the product is not priced at this outlet)"),
    F("price_inc_tax", NUMBER_OR_TEXT, default="no price (the product is not priced at this outlet)"),
    F("tax_id", INT, default="the outlet's default tax"),
    F("cost_price", NUMBER_OR_TEXT, default="no cost"),
    F("on_hand_inventory", NUMBER_OR_TEXT, default="0 on hand"),
    F("reserved_inventory", NUMBER_OR_TEXT, default="0 reserved"),
    F("available_inventory", NUMBER_OR_TEXT, default="on hand less reserved"),
)
HIKE_VARIANT = hike(
    "Hike product variants",
    F("prod_variant_id", INT, needed=True, spellings=("id",)),
    F("variant_name", TEXT, default="no name", spellings=("name",)),
    F("sku", TEXT, default="no SKU (the variant is not linked by SKU)"),
    F("barcode", TEXT, default="no barcode"),
    F("variant_sub_values", LIST, default="no option values"),
    F("variant_outlets", LIST, default="no outlet rows (no price or stock)", spellings=("product_outlets",),
      of=HIKE_OUTLET_ROW),
)
HIKE_PRODUCT = hike(
    "Hike products",
    F("id", INT, needed=True),
    F("name", TEXT, needed=True),
    F("sku", TEXT, default="no SKU (the product is not linked by SKU)"),
    F("barcode", TEXT, default="no barcode"),
    F("description", TEXT, default="no description"),
    F("brand_id", INT, default="no brand"),
    F("bran_name", TEXT, default="no brand", spellings=("brand_name",)),  # [D] spelled so
    F("has_variants", BOOL, default="false (unless variants are listed)"),
    F("track_inventory", BOOL, default="true"),
    F("isActive", BOOL, default="true (active)"),
    F("last_modified", DATE, default="unknown (newer-wins takes the other store's change)"),
    F("product_type", LIST, default="no product types"),
    F("sales_channels", LIST, default="none (the product is not on the eCommerce channel)"),  # [C]
    F("product_tags", LIST, default="no tags"),
    F("additional_images", LIST, default="no images"),
    F("product_outlets", LIST, default="no outlet rows (no price or stock)", of=HIKE_OUTLET_ROW),
    F("product_variants", LIST, default="no variants embedded (built from the variant rows)", of=HIKE_VARIANT),
)
HIKE_ADDRESS = hike(
    "Hike customer addresses",
    F("address1", TEXT, default="empty"), F("city", TEXT, default="empty"), F("state", TEXT, default="empty"),
    F("postcode", TEXT, default="empty"), F("country_code", TEXT, default="no country"),
)
HIKE_CUSTOMER = hike(
    "Hike customers",
    F("id", INT, needed=True),
    F("first_name", TEXT, default="empty"),
    F("last_name", TEXT, default="empty"),
    F("email", TEXT, default="no email (the customer is not linked by email)"),
    F("phone", TEXT, default="empty"),
    F("company_name", TEXT, default="empty"),
    F("isActive", BOOL, default="true (active)"),
    F("last_modified", DATE, default="unknown (newer-wins takes the other store's change)"),
    F("billing_address", Kind.OBJECT, default="no billing address", of=HIKE_ADDRESS),
)
HIKE_SALE_LINE = hike(
    "Hike sale lines",
    F("invoiceItemValue", INT, needed=True),  # the product or variant sold
    F("quantity", NUMBER_OR_TEXT, needed=True),
    F("sku", TEXT, default="no SKU (the product is found by its id)"),
    F("title", TEXT, default="no title"),
    F("soldPrice", NUMBER_OR_TEXT, default="no price"),
    F("totalAmount", NUMBER_OR_TEXT, default="no total"),
)
HIKE_PAYMENT = hike(
    "Hike sale payments",
    F("paymentOptionId", INT, default="no payment type"),
    F("paymentOptionName", TEXT, default="no name"),
    F("amount", NUMBER_OR_TEXT, needed=True),
)
HIKE_SALE = hike(
    "Hike sales",
    F("id", INT, needed=True),
    F("number", TEXT, default="no sale number"),
    F("status", Kind.ANY, needed=True),  # [A] an int; [C] one client sent names
    F("outletId", INT, default="no outlet (the stock move's outlet is not known)"),
    F("registerid", INT, default="no register", spellings=("registerId",)),  # [S] lower-case "i"
    F("customerId", INT, default="no customer (a walk-in sale)"),
    F("taxInclusive", BOOL, default="true"),
    F("transactionDate", DATE, default="no date"),
    F("last_modified", DATE, default="unknown", spellings=("lastModificationTime",)),
    F("netAmount", NUMBER_OR_TEXT, default="no total"),
    F("invoiceLineItems", LIST, default="no lines", of=HIKE_SALE_LINE),
    F("invoicePayments", LIST, default="no payments", of=HIKE_PAYMENT),
)
HIKE_OUTLET = hike("Hike outlets", F("id", INT, needed=True), F("title", TEXT, needed=True,
                                                             spellings=("name", "outlet_name")),
                   F("isActive", BOOL, default="true (active)"))
HIKE_REGISTER = hike("Hike registers", F("id", INT, needed=True), F("name", TEXT, default="no name"),
                     F("outletID", INT, default="no outlet", spellings=("outletId", "outlet_id")))  # [C] spelled so
HIKE_TAX = hike("Hike taxes", F("id", INT, needed=True), F("name", TEXT, needed=True),
                F("rate", NUMBER_OR_TEXT, needed=True, spellings=("tax_rate",)))
HIKE_PAYMENT_TYPE = hike("Hike payment types", F("id", INT, needed=True),
                         F("payment_name", TEXT, needed=True, spellings=("name",)),
                         F("isActive", BOOL, default="true (active)"))
HIKE_BRAND = hike("Hike brands", F("id", INT, needed=True), F("name", TEXT, needed=True))
HIKE_PRODUCT_TYPE = hike("Hike product types", F("id", INT, needed=True, spellings=("type_id",)),
                         F("name", TEXT, needed=True, spellings=("type_name",)))

# -- BigCommerce (the official OpenAPI files) ----------------------------------------------------------------------
_MONEY = dict(default="no price")
BC_VARIANT = bigcommerce(
    "BigCommerce variants",
    F("id", INT, needed=True), F("product_id", INT, needed=True), F("sku", TEXT, default="no SKU"),
    F("price", NUM, **_MONEY), F("cost_price", NUM, **_MONEY), F("upc", TEXT, default="no UPC"),
    F("inventory_level", INT, default="0"),
    F("option_values", LIST, default="no option values (the base variant)"),
)
BC_PRODUCT = bigcommerce(
    "BigCommerce products",
    F("id", INT, needed=True), F("name", TEXT, needed=True), F("sku", TEXT, default="no SKU"),
    F("type", TEXT, default="physical", values=("physical", "digital")),
    F("upc", TEXT, default="no UPC (the product is not linked by barcode)"),
    F("price", NUM, needed=True), F("sale_price", NUM, **_MONEY), F("cost_price", NUM, **_MONEY),
    F("retail_price", NUM, **_MONEY), F("weight", NUM, default="0"), F("description", TEXT, default="no description"),
    F("inventory_level", INT, default="0"),
    F("inventory_tracking", TEXT, default="none", values=("none", "product", "variant")),
    F("categories", LIST, default="no categories"), F("brand_id", INT, default="no brand"),
    F("tax_class_id", INT, default="the default tax class"), F("is_visible", BOOL, default="visible"),
    F("date_modified", DATE, default="unknown (newer-wins takes the other store's change)"),
    F("custom_url", OBJ, default="no storefront address"), F("images", LIST, default="no images"),
    F("variants", LIST, default="no variants", of=BC_VARIANT),
)
BC_CUSTOMER = bigcommerce(
    "BigCommerce customers",
    F("id", INT, needed=True), F("email", TEXT, needed=True), F("first_name", TEXT, default="empty"),
    F("last_name", TEXT, default="empty"), F("company", TEXT, default="empty"), F("phone", TEXT, default="empty"),
    F("date_modified", DATE, default="unknown"), F("addresses", LIST, default="no addresses"),
)
BC_ORDER = bigcommerce(
    "BigCommerce orders",
    F("id", INT, needed=True), F("status_id", INT, needed=True), F("customer_id", INT, default="a guest"),
    F("date_created", TEXT, default="no date"), F("date_modified", TEXT, default="no date"),
    F("total_inc_tax", NUMBER_OR_TEXT, needed=True), F("total_ex_tax", NUMBER_OR_TEXT, needed=True),  # v2: text
    F("items_total", INT, default="0"), F("currency_code", TEXT, default="the store's currency"),
    F("billing_address", OBJ, default="no billing address"),
    F("consignments", Kind.ANY, default="no embedded lines (read one order at a time)"),
)
BC_ORDER_PRODUCT = bigcommerce(
    "BigCommerce order products",
    F("id", INT, needed=True), F("product_id", INT, needed=True), F("quantity", INT, needed=True),
    F("sku", TEXT, default="no SKU"), F("price_inc_tax", NUMBER_OR_TEXT, default="0"),
)
BC_TRANSACTION = bigcommerce(
    "BigCommerce order transactions",
    F("id", INT, needed=True), F("event", TEXT, needed=True), F("amount", NUM, needed=True),
    F("gateway", TEXT, default="unknown gateway"),
)
BC_INVENTORY_ITEM = bigcommerce(
    "BigCommerce inventory items",
    F("identity", OBJ, needed=True), F("locations", LIST, default="no locations"),
)
BC_LOCATION = bigcommerce("BigCommerce locations", F("id", INT, needed=True), F("label", TEXT, default="no name"),
                          F("enabled", BOOL, default="enabled"))
# v2's ids are numbers in text here (tax_classes.v2.yml: ``id: type: string``, example "1")
BC_TAX_CLASS = bigcommerce("BigCommerce tax classes", F("id", NUMBER_OR_TEXT, needed=True),
                           F("name", TEXT, needed=True))
BC_PAYMENT_METHOD = bigcommerce("BigCommerce payment methods", F("code", TEXT, needed=True),
                                F("name", TEXT, default="its code"))
BC_STORE = bigcommerce(
    "BigCommerce store information",
    F("id", TEXT, needed=True), F("name", TEXT, needed=True), F("secure_url", TEXT, default="no storefront link"),
    F("control_panel_base_url", TEXT, default="no control-panel link"),
    F("currency", TEXT, needed=True), F("weight_units", TEXT, default="kilograms"),
    F("timezone", OBJ, default="UTC"),
)
BC_BRAND = bigcommerce("BigCommerce brands", F("id", INT, needed=True), F("name", TEXT, needed=True))
BC_CATEGORY = bigcommerce("BigCommerce categories", F("category_id", INT, needed=True),
                          F("tree_id", INT, needed=True), F("parent_id", INT, default="the top level"),
                          F("name", TEXT, needed=True))
