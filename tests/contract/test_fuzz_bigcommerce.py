"""Issue 18: a schema fuzzer over the official BigCommerce files and every operation the client uses.

schemathesis makes requests from each operation's documented parameters and body (``positive``: as the file allows;
``negative``: a body that breaks the file) and sends them to the emulator over HTTP. Every answer must be one a
store could give:

- never a 5xx (an emulator crash, as ``option_values[].option_id`` given as an object once was);
- documented: validated by the same judge as every contract test (``assert_valid_response``, with its listed
  fallbacks for what the files leave undocumented);
- a body with a value of the wrong type is refused, never stored (a number, object or list where the file says
  text once was).

Bounded and repeatable: a fixed number of examples per operation, derandomized (the same requests on every run),
no example database, no shrinking; about 40 s. The operations are the ones the client's contract workload uses
(``client_operations``), so a new client call is fuzzed without a change here.

Spec-file quirks the fuzzer steps around, each a property of the files, not of the platform:
- three v2/v3 files say ``exclusiveMaximum: false`` (or ``exclusiveMinimum``) without a ``maximum`` (OpenAPI 3.0's
  draft-4 dependency; ``UNVALIDATED_SPEC_DOCUMENTS``): the booleans are removed before loading;
- ``include_fields`` / ``exclude_fields`` trim each record below the fields its response schema requires, so no
  answer to them can validate: they are not generated;
- a request's headers are always the client's (token, ``Accept``, ``Content-Type``): the files list them as
  parameters, and a fuzzed token only tests the 401 the auth tests already prove;
- unknown query parameters and out-of-range lengths or patterns are not required to be refused (the platform
  ignores unknown parameters, and the emulator does not enforce every length the files give); they still must not
  crash or answer undocumented.
"""
from __future__ import annotations

import copy
import json
import re
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode

from tests.contract.test_client_requests import client_operations
from tests.integration.bc_store import start_bc_store

pytestmark = pytest.mark.contract

EXAMPLES = {GenerationMode.POSITIVE: 30, GenerationMode.NEGATIVE: 40}
TRIMMING_PARAMETERS = {"include_fields", "exclude_fields"}


def loadable(spec: dict[str, Any]) -> dict[str, Any]:
    """The file with its quirks removed (see the module docstring)."""
    spec = copy.deepcopy(spec)
    parameters = spec.get("components", {}).get("parameters") or {}
    trimming = {f"#/components/parameters/{name}" for name, p in parameters.items()
                if isinstance(p, dict) and p.get("name") in TRIMMING_PARAMETERS}

    def mend(node: Any) -> None:
        if isinstance(node, dict):
            for key in ("exclusiveMaximum", "exclusiveMinimum"):
                if node.get(key) is False:
                    del node[key]
            if isinstance(node.get("parameters"), list):
                node["parameters"] = [p for p in node["parameters"] if not isinstance(p, dict) or (
                    p.get("name") not in TRIMMING_PARAMETERS and p.get("$ref") not in trimming)]
            for value in node.values():
                mend(value)
        elif isinstance(node, list):
            for value in node:
                mend(value)

    mend(spec)
    return spec


def known_ids(store) -> dict[str, Any]:
    """Path parameters that name records the store has, so requests reach past the 404 (a product with options,
    its first option, an order, a location)."""
    data = store.emulator.store
    product = next(p for p in data.products.values() if p.get("options"))
    return {"product_id": product["id"], "option_id": product["options"][0]["id"],
            "order_id": min(data.orders), "location_id": min(data.locations)}


def body_type_broken(case) -> bool:
    data = getattr(case.meta.phase, "data", None) if case.meta else None
    return any("type" in mutation.keywords and mutation.parameter_location.value == "body"
               for mutation in getattr(data, "mutations", ()))


@pytest.mark.parametrize("mode", list(EXAMPLES), ids=lambda m: m.value)
def test_issue18_fuzzed_requests_get_documented_answers_and_wrong_types_are_refused(bc_specs, mode):
    operations = client_operations(bc_specs)
    assert len(operations) >= 30, sorted(operations)
    store = start_bc_store()
    schemas: dict[str, Any] = {}
    failures: dict[tuple[str, str, str], str] = {}
    http = httpx.Client(timeout=10)
    try:
        ids = known_ids(store)
        for name, method, template in sorted(operations):
            if name not in schemas:
                schemas[name] = schemathesis.openapi.from_dict(loadable(bc_specs.raw[name]))
            operation = schemas[name][template][method.upper()]
            version = bc_specs.raw[name]["servers"][0]["url"].rstrip("/").rsplit("/", 1)[-1]
            base = f"{store.server.base_url}/stores/{store.emulator.store_hash}/{version}"
            path_ids = {p: ids[p] for p in re.findall(r"\{(\w+)\}", template) if p in ids}
            strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_ids or None)
            for problem in fuzz(strategy, EXAMPLES[mode], lambda case, b=base: _problem(
                    http, bc_specs, store.emulator.access_token, case, b)):
                failures.setdefault((method.upper(), template, problem.split(":", 1)[0]), problem)
    finally:
        http.close()
        store.stop()
    assert not failures, "\n\n".join(f"{m} {t}: {p}" for (m, t, _), p in sorted(failures.items()))


def fuzz(strategy, examples: int, judge) -> list[str]:
    """``judge`` over ``examples`` cases drawn from ``strategy`` (the same ones on every run); its problems."""
    problems: list[str] = []

    @settings(max_examples=examples, derandomize=True, database=None, deadline=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def send(case) -> None:
        problem = judge(case)
        if problem:
            problems.append(problem)

    send()
    return problems


def _problem(http: httpx.Client, bc_specs, token: str, case, base: str) -> str:
    """What is wrong with the store's answer to ``case`` ("" when nothing is)."""
    sent = case.as_transport_kwargs(base_url=base)
    body = sent.get("json")
    headers = {"X-Auth-Token": token, "Accept": "application/json"}
    content = None
    if body is not None:
        headers["Content-Type"] = "application/json"
    elif isinstance(sent.get("data"), (bytes, str)):  # a body that is not JSON at all (negative)
        headers["Content-Type"] = "application/json"
        content = sent["data"]
    response = http.request(sent["method"], sent["url"], params=sent.get("params"), headers=headers,
                            content=content, json=body)
    request = f"{sent['method']} {httpx.URL(sent['url']).path} query={sent.get('params')} body=" \
              f"{json.dumps(body, default=str)[:400] if body is not None else content!r}"
    if response.status_code >= 500:
        return f"crash: {response.status_code} {response.text[:300]} for {request}"
    try:
        bc_specs.assert_valid_response(sent["method"], response.request.url.raw_path.decode(), response.status_code,
                                       response.headers, response.content)
    except (AssertionError, pytest.fail.Exception) as exc:
        return f"undocumented: {str(exc)[:1200]} for {request}"
    if body_type_broken(case) and response.status_code < 300:
        return f"stored: a body with a wrong type was accepted ({case.meta.phase.data.description}) for {request}"
    return ""
