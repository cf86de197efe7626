"""Sales (invoices), register state and register closures of the Hike emulator (notes A8, B4).

Stock effect of a sale, by ``status`` (``InvoiceStatus`` enum [A]):
- 1 Parked, 5 LayBy, 6 BackOrder, 7 OnAccount reserve stock (``reserved_inventory`` += qty);
- 2 Completed takes it from ``on_hand``;
- 4 Voided releases a reservation, or puts stock back when the sale was completed;
- 3 Refunded puts stock back when ``isReStockWhenRefund``, else the completed sale's stock stays taken;
- anything else (0 Pending, 11 Quote, ...) does not touch stock.
Moving a sale between statuses through ``sales/create`` with ``id`` applies the difference, and every change
writes one movement-log row per product and outlet.
"""
from __future__ import annotations

from typing import Any

from .hike_common import (
    ApiError, as_bool, as_int, as_number, body_json, id_or_none, money, net_ts, num, object_items, parse_ts, qarg,
    qty, r2, text_or_none, ts_or_epoch, upsert_id,
)
from .server import Request, Response

RESERVING = {1: "Parked sale", 5: "Lay-by", 6: "Back-order", 7: "On-account"}  # [I] action names of 6 and 7
OPEN_STATUSES = {0, 1, 5, 6, 7, 11}  # not yet completed, refunded or voided
FINAL_STATUSES = {3, 4}
KNOWN_STATUSES = set(range(0, 17))  # [A] InvoiceStatus 0..16
EPS = 0.005


class SalesMixin:
    """Needs the HikeEmulator's tables and the products mixin (``move_stock``, ``stock_parts``)."""

    def _register_sales_routes(self) -> None:
        self.api("GET", r"sales/get_all", self._sales_get_all)
        self.api("GET", r"sales/get/(?P<id>\d+)", lambda r: Response.json(  # [I] path
            self.render_sale(self._get(self.sales, r.params["id"], "sale"))))
        self.api("POST", r"sales/create", self._sales_create)
        self.api("GET", r"registerClosures/get_all", self._closures_get_all)

    # -- registers -----------------------------------------------------------------------------------------------
    def seed_register(self, r: dict) -> None:
        key = int(r["id"])
        row = self.add_simple("registers", {
            "name": r["name"], "outletID": int(r.get("outletID") or r.get("outletId")),
            "defaultTax": r.get("defaultTax"), "prefix": r.get("prefix", ""), "suffix": r.get("suffix", ""),
            "isActive": r.get("isActive", True), "isOpen": False, "closure_id": None}, key)
        if r.get("isOpen"):
            self.open_register(row["id"])

    def render_register(self, r: dict) -> dict[str, Any]:
        closure = self.closures.get(r["closure_id"]) if r["closure_id"] else None
        return {"id": r["id"], "name": r["name"], "outletID": r["outletID"],  # [C] "outletID" spelled so
                "defaultTax": r["defaultTax"], "prefix": r["prefix"], "suffix": r["suffix"], "isActive": r["isActive"],
                # [I] emulator register state: open or closed, and the current shift
                "isOpen": r["isOpen"], "registerClosureId": r["closure_id"],
                "openingTime": net_ts(closure["openingTime"]) if closure else None,
                "created_date_time": net_ts(r["created"]), "last_modified": net_ts(r["last_modified"])}

    def open_register(self, register_id: int) -> dict:
        reg = self._get(self.registers, register_id, "register")
        if not reg["isOpen"]:
            now = self.now()
            cid = self.next_id("closures")
            self.closures[cid] = {"id": cid, "registerId": reg["id"], "outletId": reg["outletID"],
                                  "openingTime": now, "closureTime": None, "created": now, "last_modified": now}
            reg.update({"isOpen": True, "closure_id": cid, "last_modified": now})
        return reg

    def close_register(self, register_id: int) -> dict:
        reg = self._get(self.registers, register_id, "register")
        if not reg["isOpen"]:
            raise ApiError(422, f"Register {register_id} is already closed.")
        now = self.now()
        closure = self.closures[reg["closure_id"]]
        closure.update({"closureTime": now, "last_modified": now})
        reg.update({"isOpen": False, "closure_id": None, "last_modified": now})
        return self.render_closure(closure)

    def render_closure(self, c: dict) -> dict[str, Any]:
        sales = [s for s in self.sales.values() if s["registerClosureId"] == c["id"]]
        completed = [s for s in sales if s["status"] == 2]
        payments: dict[int, dict] = {}
        for s in sales:
            for p in s["payments"]:
                if p["isPaid"] and p["registerClosureId"] == c["id"]:
                    row = payments.setdefault(p["paymentOptionId"], {"paymentOptionId": p["paymentOptionId"],
                                                                     "paymentOptionName": p["paymentOptionName"],
                                                                     "amount": 0.0})
                    row["amount"] += p["amount"]
        reg = self.registers.get(c["registerId"])
        return {"id": c["id"], "registerId": c["registerId"], "registerName": reg["name"] if reg else None,
                "outletId": c["outletId"], "openingTime": net_ts(c["openingTime"]),
                "closureTime": net_ts(c["closureTime"]), "isOpen": c["closureTime"] is None,
                # [C] total_sales; [I] the rest, and that it sums completed sales
                "total_sales": money(sum(s["netAmount"] for s in completed)), "sales_count": len(completed),
                "payments": [{**p, "amount": money(p["amount"])} for p in payments.values()]}

    def _closures_get_all(self, request: Request) -> Response:
        rows = list(self.closures.values())
        lo, hi = qarg(request, "closure_range_from"), qarg(request, "closure_range_to")
        try:
            if lo:
                t = parse_ts(lo)
                rows = [c for c in rows if c["closureTime"] is not None and c["closureTime"] >= t]
            if hi:
                t = parse_ts(hi)
                rows = [c for c in rows if c["closureTime"] is not None and c["closureTime"] <= t]
        except ValueError as exc:
            raise ApiError(400, "closure_range_from/to must be ISO dates.", [("closure_range_from", str(exc))]) from None
        return self.page(request, rows, self.render_closure)

    # -- rendering ---------------------------------------------------------------------------------------------
    def render_sale(self, s: dict) -> dict[str, Any]:
        out = {k: s[k] for k in (
            "id", "number", "barcode", "customerId", "customerName", "outletId", "registerName", "registerClosureId",
            "status", "financialStatus", "invoiceFrom", "taxInclusive", "currency", "note", "isReStockWhenRefund",
            "doNotUpdateInvenotry", "isActive", "servedByName", "trackURL", "trackDetails")}
        out["registerid"] = s["registerId"]  # [S] lower-case "i" in the sample sale
        out["source"] = s["invoiceFrom"]
        out.update({"transactionDate": net_ts(s["transactionDate"]), "finalizeDate": net_ts(s["finalizeDate"]),
                    "creationTime": net_ts(s["created"]), "last_modified": net_ts(s["last_modified"])})
        for k in ("subTotal", "totalDiscount", "totalShippingCost", "shippingTaxAmount", "totalTax", "netAmount",
                  "totalPaid", "totalTender", "changeAmount"):
            out[k] = money(s[k])
        out.update({"discountIsAsPercentage": False, "discountValue": 0, "tipIsAsPercentage": False, "tipValue": 0,
                    "totalTip": 0, "giftCardTotal": 0, "otherCharges": 0, "roundingAmount": 0,
                    "applyTaxAfterDiscount": False})
        tax = self.taxes.get(s.get("shippingTaxId")) if s.get("shippingTaxId") else None
        out.update({"shippingTaxId": tax["id"] if tax else None, "shippingTaxRate": num(tax["rate"]) if tax else None,
                    "shippingTaxName": tax["name"] if tax else None})  # [A] the app model's shipping-tax fields
        out["invoiceLineItems"] = [self._render_line(li) for li in s["lines"]]
        out["invoicePayments"] = [self._render_payment(p) for p in s["payments"]]
        return out

    @staticmethod
    def _render_line(li: dict) -> dict[str, Any]:
        out = dict(li)
        for k in ("quantity", "refundedQuantity", "taxRate", "discountValue"):
            out[k] = num(li[k])
        for k in ("soldPrice", "retailPrice", "itemCost", "totalAmount", "taxExclusiveTotalAmount", "taxAmount",
                  "totalDiscount", "effectiveAmount"):
            out[k] = money(li[k])
        return out

    @staticmethod
    def _render_payment(p: dict) -> dict[str, Any]:
        out = dict(p)
        out["amount"], out["tenderedAmount"] = money(p["amount"]), money(p["tenderedAmount"])
        out["paymentDate"], out["creationTime"] = net_ts(p["paymentDate"]), net_ts(p["creationTime"])
        return out

    # -- lists ---------------------------------------------------------------------------------------------------
    def _sales_get_all(self, request: Request) -> Response:
        rows = list(self.sales.values())
        since = self.sync_from(request)  # [I] Sync_From on sales
        if since is not None:
            rows = [s for s in rows if s["last_modified"] >= since]
        try:
            lo, hi = qarg(request, "invoice_range_from"), qarg(request, "invoice_range_to")
            if lo:
                t = parse_ts(lo)
                rows = [s for s in rows if s["transactionDate"] >= t]
            if hi:
                t = parse_ts(hi)
                rows = [s for s in rows if s["transactionDate"] <= t]
        except ValueError as exc:
            raise ApiError(400, "invoice_range_from/to must be ISO dates.", [("invoice_range_from", str(exc))]) from None
        needle = (qarg(request, "Filter") or "").strip().lower()
        if needle:  # [I] Filter matches the sale number (and its barcode)
            rows = [s for s in rows if needle in s["number"].lower() or needle in (s["barcode"] or "").lower()]
        sorting = (qarg(request, "Sorting") or "").strip()
        if sorting.lower().startswith("transactiondate"):  # [C] Sorting=transactionDate
            rows.sort(key=lambda s: (s["transactionDate"], s["id"]), reverse=sorting.lower().endswith(" desc"))
        return self.page(request, rows, self.render_sale)

    # -- create / update -----------------------------------------------------------------------------------------
    def _sales_create(self, request: Request) -> Response:
        body = body_json(request)
        if not isinstance(body, dict):
            raise ApiError(400, "The body must be a sale object.")
        key = upsert_id(body)
        if key:
            sale = self._get(self.sales, key, "sale")
            self._sale_update(sale, body)
            return Response.json(self.render_sale(sale), 202)  # [I] 202 for an update, as products
        sale = self._sale_create(body)
        return Response.json(self.render_sale(sale), 201)

    @staticmethod
    def _ci(body: dict, name: str) -> Any:
        """A body field by case-insensitive name (``registerid`` vs ``registerId`` [S]/[A])."""
        if name in body:
            return body[name]
        lname = name.lower()
        for k, v in body.items():
            if k.lower() == lname:
                return v
        return None

    def _status(self, body: dict, errors: list, required: bool) -> int | None:
        raw = body.get("status")
        if raw is None:
            if required:
                errors.append(("status", "The status field is required."))
            return None
        if isinstance(raw, bool) or not isinstance(raw, int) or raw not in KNOWN_STATUSES:
            # [I] the public API takes the integer InvoiceStatus (a client that sent strings is low-trust [C])
            errors.append(("status", f"status must be an integer InvoiceStatus (0..16), got {raw!r}."))
            return None
        return raw

    def _build_lines(self, raw: Any, outlet_id: int | None, tax_inclusive: bool, errors: list,
                     do_calc: bool) -> list[dict]:
        if not isinstance(raw, list) or not raw:
            errors.append(("invoiceLineItems", "A sale needs at least one line in invoiceLineItems."))
            return []
        lines = []
        for j, m, li in object_items(raw, "invoiceLineItems", errors):
            p = self.find_row(li, "invoiceItemValue", m, errors, "product or variant")
            q = as_number(li.get("quantity"), m + "quantity", errors)
            if q is None or q == 0:
                errors.append((m + "quantity", "quantity is required and can't be 0."))
            if p is not None and self._children.get(p["id"]):
                errors.append((m + "invoiceItemValue", f"Product {p['id']} has variants: sell a variant."))  # [I]
            tax_id = None
            if li.get("taxId") not in (None, "", 0):
                tax_id = id_or_none(li["taxId"])
                if tax_id not in self.taxes:
                    errors.append((m + "taxId", f"There is no tax with id {li['taxId']}."))
            sold = as_number(li.get("soldPrice"), m + "soldPrice", errors)
            disc_val = as_number(li.get("discountValue"), m + "discountValue", errors, default=0.0) or 0.0
            if p is None or q is None or errors:
                continue
            orow = self.outlet_row(p, outlet_id) if outlet_id in self.outlets else next(iter(p["outlets"].values()))
            tax_id = tax_id or orow["tax_id"]
            tax = self.taxes.get(tax_id)
            rate = float(tax["rate"]) if tax else 0.0
            retail = orow["price_ex_tax"] * (1 + rate / 100) if tax_inclusive else orow["price_ex_tax"]
            sold = r2(retail) if sold is None else sold
            pct = as_bool(li.get("discountIsAsPercentage"), False)
            gross = sold * q
            discount = r2(gross * disc_val / 100) if pct else r2(disc_val)
            total = r2(gross - discount)
            if tax_inclusive:
                tax_amount = r2(total * rate / (100 + rate))
                ex_total = r2(total - tax_amount)
            else:
                tax_amount, ex_total = r2(total * rate / 100), total
            if not do_calc:  # [I] without doCalculation the line amounts are taken as sent
                total = as_number(li.get("totalAmount"), m + "totalAmount", errors, default=total)
                tax_amount = as_number(li.get("taxAmount"), m + "taxAmount", errors, default=tax_amount)
                ex_total = r2(total - tax_amount) if tax_inclusive else total
            src = self._source(p)
            brand = self.brands.get(src["brand_id"]) if src["brand_id"] else None
            lines.append({
                "id": 0, "invoiceItemType": 3 if p["extras"] else 0,  # [A] InvoiceItemType: 0 Standard, 3 Composite
                "invoiceItemValue": p["id"], "invoiceItemValueParent": p["parentId"], "sequence": j + 1,
                "title": text_or_none(li.get("title")) or self.product_name(p), "sku": p["sku"],
                "category": [self.product_types[t]["name"] for t in src["type_ids"] if t in self.product_types],
                "brand": brand["name"] if brand else None, "tags": [], "itemCost": orow["cost_price"], "quantity": q,
                "refundedQuantity": 0.0, "soldPrice": sold, "retailPrice": r2(retail), "totalAmount": total,
                "taxExclusiveTotalAmount": ex_total, "taxId": tax_id, "taxName": tax["name"] if tax else None,
                "taxRate": rate, "taxAmount": tax_amount, "effectiveAmount": total,
                "discountIsAsPercentage": pct, "discountValue": disc_val, "totalDiscount": discount,
                "actionType": 0, "loyaltyPoints": 0, "lineItemTaxes": [], "invoiceLineSubItems": [], "isActive": True,
            })
        return lines

    def _build_payments(self, raw: Any, sale: dict, errors: list, now: float) -> list[dict]:
        if raw is None:
            return []
        if not isinstance(raw, list):
            errors.append(("invoicePayments", "invoicePayments must be an array."))
            return []
        old = {p["id"]: p for p in sale.get("payments", [])}
        out = []
        for _, m, p in object_items(raw, "invoicePayments", errors):
            opt_id = id_or_none(p.get("paymentOptionId"))
            opt = self.payment_types.get(opt_id) if opt_id else None
            if opt is None:
                errors.append((m + "paymentOptionId", f"There is no payment type with id "
                                                      f"{p.get('paymentOptionId')}."))
                continue
            amount = as_number(p.get("amount"), m + "amount", errors)
            if amount is None:
                errors.append((m + "amount", "amount is required."))
                continue
            pid = id_or_none(p.get("id"))
            prev = old.get(pid) if pid else None
            try:
                paid_at = ts_or_epoch(p.get("paymentDate"), prev["paymentDate"] if prev else now)
            except ValueError as exc:
                errors.append((m + "paymentDate", str(exc)))
                continue
            out.append({
                "id": prev["id"] if prev else 0, "paymentOptionId": opt["id"],
                "paymentOptionName": text_or_none(p.get("paymentOptionName")) or opt["payment_name"],
                "paymentOptionType": opt["payment_option_type"], "amount": amount,
                "tenderedAmount": as_number(p.get("tenderedAmount"), m + "tenderedAmount", errors, default=amount),
                "roundingAmount": 0, "isPaid": as_bool(p.get("isPaid"), True), "outletId": sale.get("outletId"),
                "registerId": sale.get("registerId"),
                "registerClosureId": prev["registerClosureId"] if prev else None, "actionType": 0,
                "paymentDate": paid_at, "paymentFrom": 0, "invoicePaymentDetails": [], "isDeleted": False,
                "creationTime": prev["creationTime"] if prev else now, "creatorUserId": None,
            })
        return out

    def _totals(self, sale: dict, body: dict, do_calc: bool, errors: list) -> None:
        lines = sale["lines"]
        sub = r2(sum(li["totalAmount"] for li in lines))
        line_tax = r2(sum(li["taxAmount"] for li in lines))
        sale["totalDiscount"] = r2(sum(li["totalDiscount"] for li in lines))
        ship, ship_tax = sale["totalShippingCost"], sale["shippingTaxAmount"]
        tax = r2(line_tax + ship_tax)
        # [I] subTotal is the sum of line totals as entered (inc-tax when taxInclusive)
        net = r2(sub + ship + (0 if sale["taxInclusive"] else tax))
        if not do_calc:  # [I] totals as sent, checked for consistency (+-0.01)
            sub = as_number(body.get("subTotal"), "subTotal", errors, default=sub)
            tax = as_number(body.get("totalTax"), "totalTax", errors, default=tax)
            expected = r2(sub + ship + (0 if sale["taxInclusive"] else tax))
            net = as_number(body.get("netAmount"), "netAmount", errors, default=expected)
            if net is not None and abs(net - expected) > 0.01 + 1e-9:
                errors.append(("netAmount", f"netAmount {num(net)} does not add up: subTotal {num(sub)} + "
                                            f"shipping {num(ship)}" + ("" if sale["taxInclusive"] else
                                                                       f" + tax {num(tax)}") + f" = {num(expected)}."))
        sale.update({"subTotal": sub, "totalTax": tax, "netAmount": net})

    def _payment_state(self, sale: dict) -> None:
        """totalPaid and financialStatus [A] enum, always computed from the payments [I]."""
        paid = r2(sum(p["amount"] for p in sale["payments"] if p["isPaid"] and not p["isDeleted"]))
        tender = r2(sum(p["tenderedAmount"] for p in sale["payments"] if p["isPaid"] and not p["isDeleted"]))
        sale["totalPaid"], sale["totalTender"] = paid, tender
        sale["changeAmount"] = r2(max(0.0, tender - sale["netAmount"]))
        if sale["status"] == 4:
            sale["financialStatus"] = 5  # [A] FinancialStatus: Voided
        elif sale["status"] == 3:
            sale["financialStatus"] = 4  # Refunded
        elif sale["netAmount"] > EPS and paid >= sale["netAmount"] - EPS or sale["netAmount"] <= EPS < paid:
            sale["financialStatus"] = 2  # Paid
        elif paid > EPS:
            sale["financialStatus"] = 1  # Partially_Paid
        elif sale["netAmount"] <= EPS:
            sale["financialStatus"] = 2
        else:
            sale["financialStatus"] = 0  # Pending

    def _check_paid(self, sale: dict, errors: list) -> None:
        if sale["status"] == 2 and sale["totalPaid"] < sale["netAmount"] - 0.01:  # [I]
            errors.append(("invoicePayments", f"A completed sale must be paid in full: payments "
                                              f"{num(sale['totalPaid'])} < netAmount {num(sale['netAmount'])}. "
                                              "Use status 5 (LayBy) or 7 (OnAccount) for part-paid sales."))

    def _sale_create(self, body: dict, seed: bool = False) -> dict:
        errors: list[tuple[str, str]] = []
        now = self.now()
        outlet_id = id_or_none(self._ci(body, "outletId"))
        if outlet_id not in self.outlets:
            errors.append(("outletId", f"outletId is required and must be an outlet (got {body.get('outletId')!r})."))
        register_id = id_or_none(self._ci(body, "registerId"))  # also "registerid" [S]
        register = self.registers.get(register_id) if register_id else None
        if register is None:
            errors.append(("registerId", "registerId is required and must be a register."))
        elif outlet_id in self.outlets and register["outletID"] != outlet_id:
            errors.append(("registerId", f"Register {register_id} belongs to outlet {register['outletID']}, "
                                         f"not {outlet_id}."))  # [I]
        status = self._status(body, errors, required=True)
        customer = None
        if self._ci(body, "customerId") not in (None, "", 0):
            customer = self.customers.get(id_or_none(self._ci(body, "customerId")))
            if customer is None:
                errors.append(("customerId", f"There is no customer with id {body.get('customerId')}."))
        number = text_or_none(body.get("number"))
        if number and any(s["number"] == number for s in self.sales.values()):
            errors.append(("number", f"A sale with number {number!r} already exists."))  # [I] numbers unique
        tax_inclusive = as_bool(body.get("taxInclusive"), True)  # [I] AU/NZ stores price tax-inclusive
        do_calc = as_bool(body.get("doCalculation"), False)
        try:
            when = ts_or_epoch(body.get("transactionDate"), now)
        except ValueError as exc:
            errors.append(("transactionDate", str(exc)))
            when = now
        lines = self._build_lines(body.get("invoiceLineItems"), outlet_id, tax_inclusive, errors, do_calc)
        sale: dict[str, Any] = {
            "outletId": outlet_id, "registerId": register_id, "status": status, "taxInclusive": tax_inclusive,
            "lines": lines, "payments": [],
            "totalShippingCost": as_number(body.get("totalShippingCost"), "totalShippingCost", errors, default=0.0),
            "shippingTaxAmount": as_number(body.get("shippingTaxAmount"), "shippingTaxAmount", errors, default=0.0),
            "shippingTaxId": self._shipping_tax(body, errors),  # [A] InvoiceDto.shippingTaxId
            "isReStockWhenRefund": as_bool(body.get("isReStockWhenRefund"), True),
            "doNotUpdateInvenotry": as_bool(self._ci(body, "doNotUpdateInvenotry"), False),  # [S] sic
        }
        sale["payments"] = self._build_payments(body.get("invoicePayments"), sale, errors, now)
        if errors:
            raise ApiError(422, "Your request is not valid!", errors)
        self._totals(sale, body, do_calc, errors)
        self._payment_state(sale)
        if not seed:
            self._check_paid(sale, errors)
        if errors:
            raise ApiError(422, "Your request is not valid!", errors)
        key = as_int(body.get("id")) if seed and body.get("id") else None
        if key is None:
            key = self._ids.get("sales", 0) + 1  # taken for real only once the sale is accepted
        source = body.get("invoiceFrom", body.get("source"))
        sale.update({
            "id": key, "number": number or f"{key:06d}",  # [I] next number, zero-padded like "000629" [S]
            "customerId": customer["id"] if customer else None,
            "customerName": (f"{customer['first_name']} {customer['last_name']}".strip() if customer else None),
            "registerName": register["name"], "registerClosureId": None,
            "invoiceFrom": as_int(source) if source not in (None, "") else 3,  # [I] default 3 = Web [A]
            "currency": text_or_none(body.get("currency")) or "AUD", "note": body.get("note") or "",
            "isActive": True, "servedByName": text_or_none(body.get("servedByName")) or self.username,
            "trackURL": body.get("trackURL"), "trackDetails": body.get("trackDetails"),
            "transactionDate": when, "finalizeDate": when if status == 2 else None, "created": now,
            "last_modified": now, "completed": status == 2,
        })
        sale["barcode"] = f"#1{sale['number']}"  # [S] "#1000629" for number "000629"
        for i, li in enumerate(sale["lines"]):
            li["id"] = self.next_id("sale_lines")
        if seed:
            reg = self.registers[register_id]
            sale["registerClosureId"] = reg["closure_id"]
            for p in sale["payments"]:
                p["id"] = self.next_id("payments")
                p["registerClosureId"] = reg["closure_id"]
            for pid, (reserved, _sold) in self._footprint(sale).items():
                self.outlet_row(self.products[pid], outlet_id)["reserved"] += reserved
            self._seen_id("sales", key)
            self.sales[key] = sale
            return sale
        moves = self._footprint_moves(sale, {}, self._footprint(sale))  # may refuse: nothing changed yet
        reg = self.open_register(register_id)  # [I] a sale on a closed register re-opens it (new shift)
        sale["registerClosureId"] = reg["closure_id"]
        for p in sale["payments"]:
            p["id"] = self.next_id("payments")
            p["registerClosureId"] = reg["closure_id"]
        self._do_moves(sale, moves, now)
        self._seen_id("sales", key)
        self.sales[key] = sale
        return sale

    def _shipping_tax(self, body: dict, errors: list) -> int | None:
        """The tax of the sale's shipping line ([A] ``shippingTaxId``; the rate and name are the tax's own)."""
        raw = self._ci(body, "shippingTaxId")
        if raw in (None, "", 0):
            return None
        tax_id = id_or_none(raw)
        if tax_id not in self.taxes:
            errors.append(("shippingTaxId", f"There is no tax with id {raw}."))
            return None
        return tax_id

    def _sale_update(self, sale: dict, body: dict) -> None:
        errors: list[tuple[str, str]] = []
        now = self.now()
        old_status = sale["status"]
        status = self._status(body, errors, required=False)
        status = old_status if status is None else status
        if status != old_status:  # [I] allowed transitions
            if old_status in FINAL_STATUSES:
                errors.append(("status", f"Sale {sale['id']} is {'refunded' if old_status == 3 else 'voided'}: "
                                         "its status can't change."))
            elif old_status == 2 and status not in FINAL_STATUSES:
                errors.append(("status", "A completed sale can only be refunded (3) or voided (4)."))
        old_fp = self._footprint(sale)
        new = dict(sale)
        new["status"] = status
        if "isReStockWhenRefund" in body:
            new["isReStockWhenRefund"] = as_bool(body["isReStockWhenRefund"], True)
        if "customerId" in body and body["customerId"] not in (None, "", 0):
            customer = self.customers.get(id_or_none(body["customerId"]))
            if customer is None:
                errors.append(("customerId", f"There is no customer with id {body['customerId']}."))
            else:
                new["customerId"] = customer["id"]
                new["customerName"] = f"{customer['first_name']} {customer['last_name']}".strip()
        if "note" in body:
            new["note"] = body["note"] or ""
        for k in ("trackURL", "trackDetails"):
            if k in body:
                new[k] = body[k]
        do_calc = as_bool(body.get("doCalculation"), False)
        recalc = False
        if old_status in OPEN_STATUSES:  # [I] lines and shipping can change only while the sale is open
            if "invoiceLineItems" in body:
                new["lines"] = self._build_lines(body["invoiceLineItems"], sale["outletId"], sale["taxInclusive"],
                                                 errors, do_calc)
                recalc = True
            for k in ("totalShippingCost", "shippingTaxAmount"):
                if k in body:
                    new[k] = as_number(body[k], k, errors, default=sale[k])
                    recalc = True
        if "invoicePayments" in body:
            new["payments"] = self._build_payments(body["invoicePayments"], new, errors, now)
        if errors:
            raise ApiError(422, "Your request is not valid!", errors)
        if recalc:
            self._totals(new, body, do_calc, errors)
        self._payment_state(new)
        self._check_paid(new, errors)
        if errors:
            raise ApiError(422, "Your request is not valid!", errors)
        if status == 2:
            new["completed"] = True
            new["finalizeDate"] = sale["finalizeDate"] or now
        moves = self._footprint_moves(new, old_fp, self._footprint(new))  # may refuse: nothing changed yet
        changed = status != old_status or "invoicePayments" in body or recalc
        if changed:
            reg = self.open_register(sale["registerId"])  # [I] re-open the register for the change
            for p in new["payments"]:
                if not p["id"]:
                    p["id"] = self.next_id("payments")
                    p["registerClosureId"] = reg["closure_id"]
        self._do_moves(new, moves, now)
        for li in new["lines"]:
            if not li["id"]:
                li["id"] = self.next_id("sale_lines")
        new["last_modified"] = now
        sale.update(new)

    # -- stock effect ------------------------------------------------------------------------------------------
    def _footprint(self, sale: dict) -> dict[int, tuple[float, float]]:
        """product id -> (reserved, sold) quantities this sale holds in its outlet."""
        if sale["doNotUpdateInvenotry"]:
            return {}
        status = sale["status"]
        if status in RESERVING:
            kind = 0
        elif status == 2 or (status == 3 and not sale["isReStockWhenRefund"] and sale.get("completed")):
            kind = 1
        else:
            return {}
        out: dict[int, list[float]] = {}
        for li in sale["lines"]:
            for pid, amount in self.stock_parts(li["invoiceItemValue"], li["quantity"]):
                out.setdefault(pid, [0.0, 0.0])[kind] += amount
        return {pid: (qty(v[0]), qty(v[1])) for pid, v in out.items()}

    def _action(self, status: int) -> str:
        # [H] action names of Hike's product history; "Sale edit" (lines changed, status kept) is [I]
        return RESERVING.get(status) or {2: "Sale", 3: "Refund", 4: "Void"}.get(status, "Sale edit")

    def _footprint_moves(self, sale: dict, old: dict, new: dict) -> list[tuple[dict, float, float]]:
        """The stock moves from footprint ``old`` to ``new``; 422 when stock is short. Changes nothing."""
        oid = sale["outletId"]
        moves = []
        errors = []
        for pid in sorted(set(old) | set(new)):
            o_r, o_s = old.get(pid, (0.0, 0.0))
            n_r, n_s = new.get(pid, (0.0, 0.0))
            d_r, d_s = qty(n_r - o_r), qty(n_s - o_s)
            if not d_r and not d_s:
                continue
            p = self.products.get(pid)
            if p is None:
                continue
            consume = d_r + d_s  # what the change takes from available stock
            row = p["outlets"].get(oid)
            available = (row["on_hand"] - row["reserved"]) if row else 0.0
            if consume > EPS and not self._source(p)["continue_selling_no_inventory"] and consume > available + EPS:
                errors.append(("invoiceLineItems", f"Not enough stock of {self.product_name(p)} (id {pid}) in "
                                                   f"outlet {oid}: {num(available)} available, {num(consume)} "
                                                   "needed."))  # [I]
            moves.append((p, -d_s, d_r))
        if errors:
            raise ApiError(422, "Your request is not valid!", errors)
        return moves

    def _do_moves(self, sale: dict, moves: list[tuple[dict, float, float]], now: float) -> None:
        for p, on_hand_delta, reserved_delta in moves:
            self.move_stock(p, sale["outletId"], on_hand_delta, reserved_delta, self._action(sale["status"]),
                            sale["number"], now)

    def seed_sale(self, s: dict) -> None:
        self._sale_create(s, seed=True)
