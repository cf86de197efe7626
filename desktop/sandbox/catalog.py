"""One deterministic, neutral shop that both emulators' seeds are cut from.

The demo and ``large:N`` seeds need the two stores to overlap the way a real merchant's do: most products on
both sides with the same SKU, some only in Hike, some only in BigCommerce, a few duplicates. Generating the
shop once here and letting each emulator render its own side (``bigcommerce_seed.py``, ``hike_seed.py``)
keeps the overlap exact without either emulator knowing the other's data model.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

BRANDS = ["Alpine Goods", "Harbour & Co", "Northwind", "Kestrel", "Tidewater", "Juniper Lane"]
PRODUCT_TYPES = ["Apparel", "Footwear", "Accessories", "Home", "Kitchen", "Outdoor", "Stationery", "Toys"]
NOUNS = {
    "Apparel": ["Merino Tee", "Linen Shirt", "Denim Jacket", "Hoodie", "Rain Shell", "Chinos"],
    "Footwear": ["Trail Runner", "Canvas Sneaker", "Leather Boot", "Sandal"],
    "Accessories": ["Beanie", "Leather Belt", "Tote Bag", "Scarf", "Sunglasses"],
    "Home": ["Throw Blanket", "Soy Candle", "Linen Cushion", "Ceramic Vase"],
    "Kitchen": ["Espresso Cups", "Chef Knife", "Cutting Board", "Tea Towel Set"],
    "Outdoor": ["Camp Mug", "Headlamp", "Water Bottle", "Picnic Rug"],
    "Stationery": ["Dot Notebook", "Brass Pen", "Desk Planner", "Washi Tape"],
    "Toys": ["Wooden Train", "Puzzle 500pc", "Plush Fox", "Kite"],
}
ADJECTIVES = ["Classic", "Everyday", "Heritage", "Coastal", "Studio", "Field", "Urban", "Weekend", "Nordic",
              "Sunset", "Midnight", "Forest", "Stone", "Cloud", "Copper"]
SIZE_SETS = [["S", "M", "L", "XL"], ["7", "8", "9", "10", "11"], ["Small", "Large"]]
COLOURS = ["Black", "Navy", "Sand", "Olive", "Rust"]
FIRST = ["Olivia", "Jack", "Amelia", "Noah", "Isla", "Leo", "Mia", "Oscar", "Ava", "Henry", "Zoe", "Liam",
         "Ruby", "Lucas", "Chloe", "Mason", "Grace", "Ethan", "Ella", "Hugo"]
LAST = ["Smith", "Nguyen", "Brown", "Wilson", "Taylor", "Martin", "Anderson", "Thompson", "Walker", "Khan",
        "Patel", "Murphy", "Kelly", "Chen", "Lee", "Harris", "Clarke", "Young"]


@dataclass(frozen=True)
class VariantItem:
    option: str  # option display name, e.g. "Size"
    value: str  # option value, e.g. "M"
    sku: str
    barcode: str
    price: Decimal  # ex-tax, 2 dp


@dataclass(frozen=True)
class Item:
    key: int
    name: str
    sku: str | None  # None: a SKU-less product (only ever on the Hike side)
    barcode: str
    price: Decimal  # ex-tax retail price, 2 dp
    cost: Decimal
    brand: str
    product_type: str
    description: str
    weight: Decimal
    variants: tuple[VariantItem, ...] = ()
    composite_of: tuple[int, ...] = ()  # keys of component items: a composite product (Hike only)

    @property
    def is_variant_product(self) -> bool:
        return bool(self.variants)


@dataclass(frozen=True)
class Person:
    key: int
    first_name: str
    last_name: str
    email: str | None
    phone: str
    city: str


def _ean13(n: int) -> str:
    body = f"93{n:010d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def shop_items(n: int, seed: int = 7) -> list[Item]:
    """``n`` products: about 1 in 4 with variants, 1 in 40 composite, 1 in 50 without a SKU."""
    rnd = random.Random(seed)
    items: list[Item] = []
    for key in range(n):
        ptype = PRODUCT_TYPES[key % len(PRODUCT_TYPES)]
        noun = NOUNS[ptype][(key // len(PRODUCT_TYPES)) % len(NOUNS[ptype])]
        name = f"{ADJECTIVES[key % len(ADJECTIVES)]} {noun} {key + 1:05d}"
        price = Decimal(rnd.randrange(500, 25000)) / 100
        cost = (price * Decimal("0.45")).quantize(Decimal("0.01"))
        sku = None if key % 50 == 49 else f"SKU-{key + 1:05d}"
        variants: tuple[VariantItem, ...] = ()
        if key % 4 == 1 and sku:
            sizes = SIZE_SETS[key % len(SIZE_SETS)]
            option = "Size"
            if key % 8 == 5:
                option, sizes = "Colour", COLOURS[: 2 + key % 4]
            variants = tuple(
                VariantItem(option, value, f"{sku}-{value.upper()}", _ean13(key * 100 + i + 1), price)
                for i, value in enumerate(sizes)
            )
        composite_of: tuple[int, ...] = ()
        if key % 40 == 39 and key >= 2:
            composite_of = (key - 2, key - 3)
        items.append(Item(
            key=key, name=name, sku=sku, barcode=_ean13(key * 100), price=price, cost=cost,
            brand=BRANDS[key % len(BRANDS)], product_type=ptype,
            description=f"<p>The {name.lower()}: made to last, by {BRANDS[key % len(BRANDS)]}.</p>",
            weight=Decimal(rnd.randrange(1, 50)) / 10, variants=variants, composite_of=composite_of,
        ))
    return items


def in_hike(item: Item) -> bool:
    """Hike holds 9 in 10 products, every SKU-less and composite one among them."""
    return item.key % 10 != 7 or item.sku is None or bool(item.composite_of)


def in_bigcommerce(item: Item) -> bool:
    """BigCommerce holds 2 in 5 products (most also in Hike with the same SKU), never SKU-less or composite."""
    if item.sku is None or item.composite_of:
        return False
    return item.key % 5 in (0, 1) or item.key % 10 == 7


def people(n: int, seed: int = 11) -> list[Person]:
    """``n`` customers; about 1 in 12 has no email, and the last two share one (a D7 conflict)."""
    rnd = random.Random(seed)
    out: list[Person] = []
    for key in range(n):
        first, last = FIRST[key % len(FIRST)], LAST[(key * 7) % len(LAST)]
        email: str | None = f"{first}.{last}{key + 1}@example.com".lower()
        if key % 12 == 11:
            email = None
        out.append(Person(key, first, last, email, f"04{rnd.randrange(10**7, 10**8)}",
                          ["Sydney", "Melbourne", "Brisbane", "Perth", "Hobart"][key % 5]))
    if n >= 4:
        shared = out[-3].email or "shared@example.com"
        out[-1] = Person(n - 1, out[-1].first_name, out[-1].last_name, shared.upper(), out[-1].phone,
                         out[-1].city)
    return out
