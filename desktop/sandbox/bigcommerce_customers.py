"""Customers v3 routes of the BigCommerce emulator (``customers.v3.yml``).

POST and PUT take arrays of at most 10 customers (413 above); POST needs ``first_name``, ``last_name`` and
``email``; emails are unique regardless of letter case (a clash is 422, the only client error the spec
lists for these writes). Filters: ``id:in``, ``email:in``, ``name:in``, ``name:like``, ``phone:in``,
``company:in``, ``customer_group_id:in``, ``date_created[:min|:max]``, ``date_modified[:min|:max]``;
``include=addresses``; ``sort``.

Addresses: POST and PUT ``/customers/addresses`` take arrays of at most 10 (the spec names no limit; 413 above, as
for customers). POST needs ``customer_id``, names, ``address1``, ``city``, ``state_or_province``, ``postal_code``
and ``country_code``; PUT needs the address ``id`` and changes only the fields it is given. Either moves the
customer's ``date_modified``, as its address list changed (a PUT that changes nothing leaves it). A PUT that would
make an address identical to another of the customer's leaves it as it was, absent from the answer (the spec's
note; POST's like note about an existing address is not emulated).
"""
from __future__ import annotations

from typing import Any

from desktop.sandbox.bigcommerce_http import (BCError, Field, apply_filters, body_array, ok, paginate)
from desktop.sandbox.server import Request, Response

CUSTOMER_BATCH = 10
MAX_ADDRESSES = 10  # ``addresses`` has maxItems 10 in the customer schema
INVALID_CREATE = "Create customers failed."
INVALID_UPDATE = "Update customers failed."
STRING_FIELDS = {"email": 255, "first_name": 100, "last_name": 100, "company": 255, "phone": 50, "notes": None,
                 "tax_exempt_category": 255, "registration_ip_address": 30}
ADDRESS_STRINGS = {"first_name": 255, "last_name": 255, "company": 255, "address1": None, "address2": None,
                   "city": 100, "state_or_province": 100, "postal_code": 30, "country_code": 2, "phone": 50}
COUNTRIES = {"AU": "Australia", "NZ": "New Zealand", "US": "United States", "GB": "United Kingdom", "CA": "Canada"}


class CustomerRoutes:
    def register_customers(self) -> None:
        v3 = self.v3  # type: ignore[attr-defined]
        v3(r"/customers", GET=self.list_customers, POST=self.create_customers, PUT=self.update_customers,
           DELETE=self.delete_customers)
        v3(r"/customers/addresses", GET=self.list_addresses, POST=self.create_addresses, PUT=self.update_addresses)

    def render_customer(self, customer: dict[str, Any], include: set[str]) -> dict[str, Any]:
        out = {k: v for k, v in customer.items() if k not in ("addresses", "channel_ids")}
        out["address_count"] = len(customer.get("addresses", []))
        out["attribute_count"] = 0
        out.setdefault("authentication", {"force_password_reset": False})
        out.setdefault("store_credit_amounts", [{"amount": 0}])
        if customer.get("channel_ids") is not None:
            out["channel_ids"] = customer["channel_ids"]
        if "addresses" in include:
            out["addresses"] = [self.render_address_v3(customer, a) for a in customer.get("addresses", [])]
        if "attributes" in include:
            out["attributes"] = []
        if "formfields" in include:
            out["form_fields"] = []
        return out

    @staticmethod
    def render_address_v3(customer: dict[str, Any], address: dict[str, Any]) -> dict[str, Any]:
        return {**address, "customer_id": customer["id"]}

    def list_customers(self, request: Request) -> Response:
        filters = {
            "id": Field(lambda c: c["id"]), "email": Field(lambda c: c["email"], "str"),
            "name": Field(lambda c: f"{c['first_name']} {c['last_name']}", "str"),
            "phone": Field(lambda c: c.get("phone", ""), "str"), "company": Field(lambda c: c.get("company", ""), "str"),
            "customer_group_id": Field(lambda c: c.get("customer_group_id", 0)),
            "date_created": Field(lambda c: c["date_created"], "date"),
            "date_modified": Field(lambda c: c["date_modified"], "date"),
            "registration_ip_address": Field(lambda c: c.get("registration_ip_address", ""), "str"),
        }
        records = apply_filters(request, self.store.customers.values(), filters, self.now_dt())
        sort = request.arg("sort") or "id:asc"
        key, _, direction = sort.partition(":")
        getters = {"id": lambda c: c["id"], "date_created": lambda c: c["date_created"],
                   "last_name": lambda c: c["last_name"].lower(), "date_modified": lambda c: c["date_modified"]}
        if key not in getters or direction not in ("", "asc", "desc"):
            raise BCError(422, "The filter 'sort' is invalid", {"sort": f"'{sort}' is not supported"})
        records.sort(key=lambda c: (getters[key](c), c["id"]), reverse=direction == "desc")
        page, meta = paginate(request, records)
        include = {p.strip() for p in (request.arg("include") or "").split(",") if p.strip()}
        return Response.json({"data": [self.render_customer(c, include) for c in page], "meta": meta})

    def _customer_problems(self, item: Any, index: int, *, create: bool, seen: dict[str, int]) -> dict[str, str]:
        if not isinstance(item, dict):
            return {f"{index}": "must be an object"}
        errors: dict[str, str] = {}
        if create:
            for name in ("email", "first_name", "last_name"):
                if not item.get(name):
                    errors[f"{index}.{name}"] = f"{name} is required"
        else:
            if not isinstance(item.get("id"), int) or isinstance(item.get("id"), bool):
                errors[f"{index}.id"] = "id is required"
            elif item["id"] not in self.store.customers:
                errors[f"{index}.id"] = f"Customer {item['id']} does not exist"
        for name, limit in STRING_FIELDS.items():
            if name in item and item[name] is not None:
                if not isinstance(item[name], str):
                    errors[f"{index}.{name}"] = f"{name} must be a string"
                elif limit and len(item[name]) > limit:
                    errors[f"{index}.{name}"] = f"{name} must be at most {limit} characters"
        for name in ("customer_group_id", "origin_channel_id"):
            if name in item and (not isinstance(item[name], int) or isinstance(item[name], bool)):
                errors[f"{index}.{name}"] = f"{name} must be an integer"
        if "accepts_product_review_abandoned_cart_emails" in item and \
                not isinstance(item["accepts_product_review_abandoned_cart_emails"], bool):
            errors[f"{index}.accepts_product_review_abandoned_cart_emails"] = "must be true or false"
        channels = item.get("channel_ids")
        if channels is not None and (not isinstance(channels, list) or
                                     any(not isinstance(c, int) or isinstance(c, bool) for c in channels)):
            errors[f"{index}.channel_ids"] = "channel_ids must be an array of integers"
        credits = item.get("store_credit_amounts")
        if credits is not None and (not isinstance(credits, list) or any(
                not isinstance(c, dict) or isinstance(c.get("amount"), bool)
                or not isinstance(c.get("amount"), (int, float)) for c in credits)):
            errors[f"{index}.store_credit_amounts"] = "store_credit_amounts must be [{\"amount\": number}]"
        if "authentication" in item and not isinstance(item["authentication"], dict):
            errors[f"{index}.authentication"] = "authentication must be an object"
        for name in ("email", "first_name", "last_name"):
            if name in item and (not isinstance(item[name], str) or not item[name].strip()):
                errors[f"{index}.{name}"] = f"{name} may not be empty"
        email = item.get("email")
        if isinstance(email, str) and email:
            if "@" not in email or email.startswith("@") or email.endswith("@"):
                errors[f"{index}.email"] = f"'{email}' is not a valid email address"
            else:
                owner = self.store.emails.get(email.lower())
                if (owner is not None and owner != item.get("id")) or email.lower() in seen:
                    errors[f"{index}.email"] = f"The email address {email} is already in use"
                seen[email.lower()] = index
        addresses = item.get("addresses")
        if addresses is not None:
            if not isinstance(addresses, list) or len(addresses) > MAX_ADDRESSES:
                errors[f"{index}.addresses"] = f"addresses must be an array of at most {MAX_ADDRESSES}"
            else:
                for j, address in enumerate(addresses):
                    errors.update(self._address_problems(address, f"{index}.addresses.{j}", need_customer=False))
        return errors

    @staticmethod
    def _address_problems(address: Any, prefix: str, *, need_customer: bool,
                          required: tuple[str, ...] | None = None) -> dict[str, str]:
        if not isinstance(address, dict):
            return {prefix: "must be an object"}
        errors = {}
        if required is None:
            required = ("first_name", "last_name", "address1", "city", "country_code")
            if need_customer:
                required += ("customer_id", "state_or_province", "postal_code")
        for name in required:
            if address.get(name) in (None, ""):
                errors[f"{prefix}.{name}"] = f"{name} is required"
        if "customer_id" in address and (not isinstance(address["customer_id"], int)
                                         or isinstance(address["customer_id"], bool)):
            errors[f"{prefix}.customer_id"] = "customer_id must be an integer"
        for name, limit in ADDRESS_STRINGS.items():
            value = address.get(name)
            if value is not None and (not isinstance(value, str) or (limit and len(value) > limit)):
                errors[f"{prefix}.{name}"] = f"{name} must be a string of at most {limit} characters"
        if address.get("address_type") not in (None, "residential", "commercial"):
            errors[f"{prefix}.address_type"] = "address_type must be residential or commercial"
        if "form_fields" in address and not _form_fields_ok(address["form_fields"]):
            # issue 18: formFieldValue in customers.v3.yml: {name: string, value: string | number | [string]}
            errors[f"{prefix}.form_fields"] = "each form field needs a name (text) and a value (text, a number, " \
                                              "or a list of text)"
        return errors

    def _new_address(self, customer_id: int, address: dict[str, Any]) -> dict[str, Any]:
        code = address["country_code"].upper()
        out = {"id": self.store.next_id("customer_address"), "customer_id": customer_id,
               "first_name": address["first_name"], "last_name": address["last_name"],
               "company": address.get("company", ""), "address1": address["address1"],
               "address2": address.get("address2", ""), "city": address["city"],
               "state_or_province": address.get("state_or_province", ""),
               "postal_code": address.get("postal_code", ""), "country": COUNTRIES.get(code, code),
               "country_code": code, "phone": address.get("phone", ""),
               "address_type": address.get("address_type", "residential")}
        return out

    def _valid_customers(self, request: Request, *, create: bool) -> list[Any]:
        """The body's customers, each checked (an email twice in one body counts too); any problem refuses all."""
        items = body_array(request, CUSTOMER_BATCH, "customers")
        errors: dict[str, str] = {}
        seen: dict[str, int] = {}
        for i, item in enumerate(items):
            errors.update(self._customer_problems(item, i, create=create, seen=seen))
        if errors:
            raise BCError(422, INVALID_CREATE if create else INVALID_UPDATE, errors)
        return items

    def create_customers(self, request: Request) -> Response:
        items = self._valid_customers(request, create=True)
        now = self.now()
        created = []
        for item in items:
            cid = self.store.next_id("customer")
            customer = {"id": cid, "email": item["email"], "first_name": item["first_name"],
                        "last_name": item["last_name"], "company": item.get("company", ""),
                        "phone": item.get("phone", ""), "notes": item.get("notes", ""),
                        "tax_exempt_category": item.get("tax_exempt_category", ""),
                        "customer_group_id": item.get("customer_group_id", 0), "registration_ip_address": "",
                        "date_created": now, "date_modified": now,
                        "accepts_product_review_abandoned_cart_emails":
                            bool(item.get("accepts_product_review_abandoned_cart_emails", False)),
                        "origin_channel_id": item.get("origin_channel_id", 1),
                        "channel_ids": item.get("channel_ids"),
                        "store_credit_amounts": item.get("store_credit_amounts") or [{"amount": 0}],
                        "authentication": {"force_password_reset":
                                           bool((item.get("authentication") or {}).get("force_password_reset"))},
                        "addresses": []}
            customer["addresses"] = [self._new_address(cid, a) for a in item.get("addresses") or []]
            self.store.customers[cid] = customer
            self.store.emails[customer["email"].lower()] = cid
            self.store.data["customers"].append(customer)
            created.append(self.render_customer(customer, {"addresses"}))
        return ok(created)

    def update_customers(self, request: Request) -> Response:
        items = self._valid_customers(request, create=False)
        now = self.now()
        updated = []
        for item in items:
            customer = self.store.customers[item["id"]]
            if "email" in item and item["email"]:
                self.store.emails.pop(customer["email"].lower(), None)
                self.store.emails[item["email"].lower()] = customer["id"]
            for key in (*STRING_FIELDS, "customer_group_id", "accepts_product_review_abandoned_cart_emails",
                        "channel_ids", "origin_channel_id", "store_credit_amounts"):
                if key in item and item[key] is not None:
                    customer[key] = item[key]
            customer["date_modified"] = now
            updated.append(self.render_customer(customer, set()))
        return ok(updated)

    def delete_customers(self, request: Request) -> Response:
        raw = request.arg("id:in")
        if not raw:
            return Response.empty(204)  # the spec: without id:in nothing is deleted
        try:
            ids = {int(part) for part in raw.split(",") if part.strip()}
        except ValueError:
            raise BCError(422, "The filter 'id:in' is invalid", {"id:in": raw}) from None
        for cid in ids:
            customer = self.store.customers.pop(cid, None)
            if customer is not None:
                self.store.emails.pop(customer["email"].lower(), None)
        self.store.data["customers"] = [c for c in self.store.data["customers"] if c["id"] not in ids]
        return Response.empty(204)

    def list_addresses(self, request: Request) -> Response:
        pairs = [(c, a) for c in self.store.customers.values() for a in c.get("addresses", [])]
        records = apply_filters(request, pairs, {
            "id": Field(lambda ca: ca[1]["id"]), "customer_id": Field(lambda ca: ca[0]["id"]),
            "company": Field(lambda ca: ca[1].get("company", ""), "str"),
            "name": Field(lambda ca: f"{ca[1]['first_name']} {ca[1]['last_name']}", "str")}, self.now_dt())
        records.sort(key=lambda ca: ca[1]["id"])
        page, meta = paginate(request, records)
        return Response.json({"data": [self.render_address_v3(c, a) for c, a in page], "meta": meta})

    @staticmethod
    def _address_identity(address: dict[str, Any]) -> tuple[str, ...]:
        """The spec's "unique customer address": its core fields (letter case of the country aside)."""
        core = ("first_name", "last_name", "company", "phone", "address_type", "address1", "address2", "city",
                "state_or_province", "postal_code")
        return tuple(str(address.get(k) or "") for k in core) + (str(address.get("country_code") or "").upper(),)

    def update_addresses(self, request: Request) -> Response:
        items = body_array(request, CUSTOMER_BATCH, "addresses")
        owners = {a["id"]: c for c in self.store.customers.values() for a in c.get("addresses", [])}
        errors: dict[str, str] = {}
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                errors[f"{i}"] = "must be an object"
                continue
            if not isinstance(item.get("id"), int) or isinstance(item.get("id"), bool):
                errors[f"{i}.id"] = "id is required"
            elif item["id"] not in owners:
                errors[f"{i}.id"] = f"Customer address {item['id']} does not exist"
            # a PUT changes only the fields it names: those are checked (address_Put: names not empty, a
            # two-letter country), nothing else is required
            problems = self._address_problems(item, f"{i}", need_customer=False, required=())
            for name in ("first_name", "last_name"):
                if name in item and item[name] in (None, ""):
                    problems[f"{i}.{name}"] = f"{name} may not be empty"
            code = item.get("country_code")
            if "country_code" in item and (not isinstance(code, str) or len(code) != 2):
                problems[f"{i}.country_code"] = "country_code must be a two-letter code"
            if "customer_id" in item:  # an address does not move to another customer
                problems[f"{i}.customer_id"] = "customer_id cannot be changed"
            errors.update(problems)
        if errors:
            raise BCError(422, "Update customer addresses failed.", errors)
        updated = []
        for item in items:
            customer = owners[item["id"]]
            address = next(a for a in customer["addresses"] if a["id"] == item["id"])
            changed = dict(address)
            for name in ADDRESS_STRINGS:
                if name in item and item[name] is not None:
                    changed[name] = item[name]
            if "address_type" in item and item["address_type"] is not None:
                changed["address_type"] = item["address_type"]
            changed["country_code"] = changed["country_code"].upper()
            changed["country"] = COUNTRIES.get(changed["country_code"], changed["country_code"])
            if any(self._address_identity(changed) == self._address_identity(other)
                   for other in customer["addresses"] if other["id"] != address["id"]):
                continue  # the spec: no change, and the address is absent from the answer
            if changed != address:
                address.update(changed)
                customer["date_modified"] = self.now()
            updated.append(self.render_address_v3(customer, address))
        return ok(updated)

    def create_addresses(self, request: Request) -> Response:
        items = body_array(request, CUSTOMER_BATCH, "addresses")
        errors: dict[str, str] = {}
        adding: dict[int, int] = {}
        for i, item in enumerate(items):
            problems = self._address_problems(item, f"{i}", need_customer=True)
            if not problems and (isinstance(item["customer_id"], bool) or
                                 item["customer_id"] not in self.store.customers):
                problems[f"{i}.customer_id"] = f"Customer {item['customer_id']} does not exist"
            if not problems:
                cid = item["customer_id"]
                adding[cid] = adding.get(cid, 0) + 1
                if len(self.store.customers[cid].get("addresses", [])) + adding[cid] > MAX_ADDRESSES:
                    problems[f"{i}.customer_id"] = f"A customer has at most {MAX_ADDRESSES} addresses"
            errors.update(problems)
        if errors:
            raise BCError(422, "Create customer addresses failed.", errors)
        created = []
        for item in items:
            customer = self.store.customers[item["customer_id"]]
            address = self._new_address(customer["id"], item)
            customer.setdefault("addresses", []).append(address)
            customer["date_modified"] = self.now()
            created.append(self.render_address_v3(customer, address))
        return ok(created)


def _form_fields_ok(fields: Any) -> bool:
    def value_ok(value: Any) -> bool:
        if isinstance(value, bool):
            return False
        if isinstance(value, (str, int, float)):
            return True
        return isinstance(value, list) and all(isinstance(v, str) for v in value)

    return isinstance(fields, list) and all(
        isinstance(f, dict) and isinstance(f.get("name"), str) and "value" in f and value_ok(f["value"])
        for f in fields)
