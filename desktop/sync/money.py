"""Money, tax and stock quantities as the stores hold them (D3, S13): ``Decimal`` only, never float.

Tax-inclusive <-> exclusive prices (D3)
---------------------------------------
Money is ``Decimal`` everywhere; a float is refused. ``rate`` is a percentage (Hike's ``rate``: 10 = 10 %).

- ``inc_from_ex(ex, rate)`` = ex x (1 + rate/100), rounded half-up to the cent: an inc-tax price is always shown
  and stored at 2 decimal places.
- ``ex_from_inc(inc, rate)`` = inc / (1 + rate/100), returned as the *shortest* of two candidates that gives
  back ``inc``: rounded half-up to the cent if that one converts back to ``inc``, otherwise rounded half-up to
  4 decimal places. Both Hike's ``price_ex_tax`` (kept at 4 dp) and BigCommerce's prices (4 dp) accept it.

Why the round trip holds:

- inc (2 dp) -> ex -> inc: the 4-dp candidate is within 0.00005 of inc / (1 + r), so multiplying back is within
  0.00005 x (1 + r) < 0.005 of ``inc`` (for any rate below 9900 %), and rounding to the cent returns ``inc``.
  The 2-dp candidate is only returned when it was checked to convert back to ``inc``.
- ex (2 dp) -> inc -> ex: inc = ex x (1 + r) + d with |d| <= 0.005, so inc / (1 + r) is within
  0.005 / (1 + r) < 0.005 of ``ex`` (and exactly ``ex`` when r = 0): the 2-dp candidate is ``ex`` itself, and it
  converts back to ``inc`` by construction, so ``ex`` is returned unchanged.
- An ex-tax price with 3-4 dp can't survive a trip through a 2-dp inc-tax price (the digits are gone), but it
  settles after one trip: ex4 -> inc -> ex' -> inc gives the same inc.

So a store that enters prices with tax never sees its prices drift, and a store that enters them without tax
keeps its 2-dp prices exactly. ``tests/unit/test_mapping.py`` proves both with hypothesis over 0.01..99999.99
and the rates 0, 5, 10, 12.5, 15, 20 and 25 %.
"""
from __future__ import annotations

from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, localcontext
from typing import Any

CENT = Decimal("0.01")
EX_TAX_QUANTUM = Decimal("0.0001")  # ex-tax prices derived from inc-tax ones keep 4 dp
BC_MAX_INVENTORY = 2147483647


def as_decimal(value: Any, what: str = "amount") -> Decimal:
    """``value`` as a finite Decimal; a float (or a bool) is refused: money is never float."""
    if isinstance(value, float):
        raise TypeError(f"{what} must be a Decimal, not a float (money is never float)")
    if isinstance(value, bool):
        raise TypeError(f"{what} must be a Decimal")
    result = value if isinstance(value, Decimal) else Decimal(str(value))
    if not result.is_finite():
        raise ValueError(f"{what} must be a finite number")
    return result


def _rate(rate: Any) -> Decimal:
    r = as_decimal(rate, "tax rate")
    if r < 0:
        raise ValueError("a tax rate can't be negative")
    return r


def inc_from_ex(ex: Decimal, rate: Decimal) -> Decimal:
    """The tax-inclusive price (2 dp, half-up) of an ex-tax price at ``rate`` percent."""
    with localcontext() as ctx:
        ctx.prec = 34
        return (as_decimal(ex, "price") * (100 + _rate(rate)) / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def ex_from_inc(inc: Decimal, rate: Decimal) -> Decimal:
    """The ex-tax price of an inc-tax price: 2 dp when that converts back to ``inc``, else 4 dp (see above)."""
    inc, r = as_decimal(inc, "price"), _rate(rate)
    with localcontext() as ctx:
        ctx.prec = 34
        exact = inc * 100 / (100 + r)
        two = exact.quantize(CENT, rounding=ROUND_HALF_UP)
        if inc_from_ex(two, r) == inc:
            return two
        return exact.quantize(EX_TAX_QUANTUM, rounding=ROUND_HALF_UP)


def money_text(value: Decimal | None) -> str | None:
    """The canonical text of an amount as it is compared (D10): 4 dp, half-up, so 12.5 and 12.50 are one price."""
    if value is None:
        return None
    with localcontext() as ctx:
        ctx.prec = 34
        return format(value.quantize(EX_TAX_QUANTUM, rounding=ROUND_HALF_UP), "f")


def bc_inventory_level(stock: Decimal | None) -> int:
    """BigCommerce stock is whole units from 0 (S13): a fraction is rounded down, never oversold."""
    if stock is None:
        return 0
    level = int(as_decimal(stock, "stock").to_integral_value(rounding=ROUND_FLOOR))
    return max(0, min(level, BC_MAX_INVENTORY))


def is_fractional(quantity: Decimal | None) -> bool:
    """A quantity BigCommerce can't hold (S13 flags fractional sales)."""
    return quantity is not None and quantity != quantity.to_integral_value()
