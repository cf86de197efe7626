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


def test_update_addresses_by_id_moves_date_modified(bc):
    customers = bc.get("/v3/customers", params={"limit": 2, "include": "addresses"}).json()["data"]
    first, other = customers[0]["addresses"][0], customers[1]["addresses"][0]
    bc.control("POST", "clock", json={"advance_s": 30})
    r = bc.put("/v3/customers/addresses", json=[{"id": first["id"], "address1": "2 New St", "city": "Hobart",
                                                 "state_or_province": "Tasmania", "postal_code": "7000",
                                                 "country_code": "au"},
                                                {"id": other["id"], "phone": "0400000001"}])
    assert r.status_code == 200
    got = {a["id"]: a for a in r.json()["data"]}
    assert (got[first["id"]]["address1"], got[first["id"]]["city"], got[first["id"]]["country_code"]) == \
        ("2 New St", "Hobart", "AU")
    assert got[first["id"]]["first_name"] == first["first_name"], "fields not sent are kept"
    assert got[other["id"]]["phone"] == "0400000001" and got[other["id"]]["customer_id"] == customers[1]["id"]
    after = bc.get("/v3/customers", params={"id:in": customers[0]["id"], "include": "addresses"}).json()["data"][0]
    assert after["addresses"][0]["city"] == "Hobart" and after["date_modified"] > customers[0]["date_modified"]


def test_update_addresses_validation_413_and_duplicates(bc):
    (customer,) = bc.get("/v3/customers", params={"limit": 1, "include": "addresses"}).json()["data"]
    address = customer["addresses"][0]
    r = bc.put("/v3/customers/addresses", json=[{"city": "No Id"}])
    assert r.status_code == 422 and set(r.json()["errors"]) == {"0.id"}
    assert bc.put("/v3/customers/addresses", json=[{"id": 999999, "city": "Nowhere"}]).status_code == 422
    r = bc.put("/v3/customers/addresses", json=[{"id": address["id"], "first_name": "", "country_code": "AUS"}])
    assert r.status_code == 422 and set(r.json()["errors"]) == {"0.first_name", "0.country_code"}
    r = bc.put("/v3/customers/addresses", json=[{"id": address["id"], "city": f"City {n}"} for n in range(11)])
    assert r.status_code == 413
    # an update that would duplicate another of the customer's addresses changes nothing and is not in the answer
    copy = {k: address[k] for k in ("first_name", "last_name", "company", "phone", "address_type", "address1",
                                    "address2", "city", "state_or_province", "postal_code", "country_code")}
    (second,) = bc.post("/v3/customers/addresses", json=[dict(copy, customer_id=customer["id"], city="Elsewhere")]
                        ).json()["data"]
    r = bc.put("/v3/customers/addresses", json=[{"id": second["id"], "city": address["city"]}])
    assert r.status_code == 200 and r.json()["data"] == []
    listed = bc.get("/v3/customers/addresses", params={"customer_id:in": customer["id"]}).json()["data"]
    assert sorted(a["city"] for a in listed) == sorted([address["city"], "Elsewhere"])


def test_issue18_address_form_fields_of_the_wrong_kind_are_refused(bc):
    customer = bc.post("/v3/customers", json=[_customer(8)]).json()["data"][0]
    address = {"first_name": "Sandbox", "last_name": "Customer", "address1": "1 Test St", "city": "Perth",
               "state_or_province": "Western Australia", "postal_code": "6000", "country_code": "AU",
               "customer_id": customer["id"]}
    for wrong in ([{"name": "gate", "value": {"code": 1}}], [{"name": 7, "value": "x"}], [{"value": "x"}],
                  [{"name": "gate", "value": [1, 2]}], "gate code"):
        r = bc.post("/v3/customers/addresses", json=[dict(address, form_fields=wrong)])
        assert r.status_code == 422 and "0.form_fields" in r.json()["errors"], wrong
    fine = bc.post("/v3/customers/addresses", json=[dict(address, form_fields=[{"name": "gate", "value": "1234"}])])
    assert fine.status_code == 200
