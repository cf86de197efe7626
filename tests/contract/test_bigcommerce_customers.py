"""Customers v3 over HTTP, each response checked against the official schema."""
from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.contract


def _customer(n: int, **extra: Any) -> dict[str, Any]:
    return {"email": f"sandbox.customer{n}@example.org", "first_name": "Sandbox", "last_name": f"Customer {n}",
            **extra}


def test_list_paging_and_filters(bc):
    first = bc.get("/v3/customers").json()
    assert first["meta"]["pagination"]["total"] == 55 and len(first["data"]) == 50
    every = bc.get("/v3/customers", params={"limit": 250, "include": "addresses"}).json()["data"]
    assert len({c["email"].lower() for c in every}) == len(every)
    assert all(c["addresses"] and c["address_count"] == 1 for c in every)
    wanted = [every[3]["email"], every[9]["email"].upper()]
    got = bc.get("/v3/customers", params={"email:in": ",".join(wanted)}).json()["data"]
    assert [c["id"] for c in got] == [every[3]["id"], every[9]["id"]]
    got = bc.get("/v3/customers", params={"id:in": f"{every[0]['id']},{every[1]['id']}"}).json()["data"]
    assert len(got) == 2
    pivot = sorted(c["date_modified"] for c in every)[40]
    newer = bc.get("/v3/customers", params={"date_modified:min": pivot, "limit": 250}).json()["data"]
    assert len(newer) == sum(1 for c in every if c["date_modified"] >= pivot)
    assert bc.get("/v3/customers", params={"limit": 251}).status_code == 413


def test_create_ten_and_413_above(bc):
    r = bc.post("/v3/customers", json=[_customer(n) for n in range(10)])
    assert r.status_code == 200
    created = r.json()["data"]
    assert len(created) == 10 and all(isinstance(c["id"], int) for c in created)
    r = bc.post("/v3/customers", json=[_customer(100 + n) for n in range(11)])
    assert r.status_code == 413
    assert r.json()["status"] == 413 and "10" in r.json()["title"]
    assert bc.get("/v3/customers", params={"email:in": "sandbox.customer100@example.org"}).json()["data"] == []


def test_create_validation_and_duplicate_email(bc):
    r = bc.post("/v3/customers", json=[{"email": "x@example.org"}])
    assert r.status_code == 422
    assert set(r.json()["errors"]) == {"0.first_name", "0.last_name"}
    taken = bc.get("/v3/customers", params={"limit": 1}).json()["data"][0]["email"]
    r = bc.post("/v3/customers", json=[_customer(1, email=taken.upper())])
    assert r.status_code == 422 and "already in use" in r.json()["errors"]["0.email"]
    r = bc.post("/v3/customers", json=[_customer(2), _customer(3, email="SANDBOX.customer2@example.org")])
    assert r.status_code == 422


def test_create_with_address(bc):
    address = {"first_name": "Sandbox", "last_name": "Customer", "address1": "1 Test St", "city": "Perth",
               "state_or_province": "Western Australia", "postal_code": "6000", "country_code": "AU"}
    r = bc.post("/v3/customers", json=[_customer(7, addresses=[address])])
    assert r.status_code == 200
    customer = r.json()["data"][0]
    assert customer["addresses"][0]["country"] == "Australia" and customer["address_count"] == 1
    listed = bc.get("/v3/customers/addresses", params={"customer_id:in": customer["id"]}).json()["data"]
    assert [a["city"] for a in listed] == ["Perth"]
    r = bc.post("/v3/customers/addresses", json=[dict(address, customer_id=customer["id"], city="Hobart")])
    assert r.status_code == 200 and r.json()["data"][0]["customer_id"] == customer["id"]
    r = bc.post("/v3/customers/addresses", json=[dict(address, customer_id=999999)])
    assert r.status_code == 422


def test_update_ten_and_413_above(bc):
    customers = bc.get("/v3/customers", params={"limit": 11}).json()["data"]
    bc.control("POST", "clock", json={"advance_s": 30})
    r = bc.put("/v3/customers", json=[{"id": c["id"], "company": "Sandbox Pty Ltd"} for c in customers[:10]])
    assert r.status_code == 200
    assert all(c["company"] == "Sandbox Pty Ltd" and c["date_modified"] > customers[0]["date_modified"]
               for c in r.json()["data"])
    r = bc.put("/v3/customers", json=[{"id": c["id"], "company": "Too Many"} for c in customers])
    assert r.status_code == 413
    assert bc.put("/v3/customers", json=[{"company": "No Id"}]).status_code == 422
    r = bc.put("/v3/customers", json=[{"id": customers[0]["id"], "email": customers[1]["email"]}])
    assert r.status_code == 422


def test_delete(bc):
    customer = bc.get("/v3/customers", params={"limit": 1}).json()["data"][0]
    assert bc.delete("/v3/customers", params={"id:in": customer["id"]}).status_code == 204
    assert bc.get("/v3/customers", params={"id:in": customer["id"]}).json()["data"] == []
    assert bc.delete("/v3/customers").status_code == 204
