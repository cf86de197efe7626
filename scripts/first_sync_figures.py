"""Figures for RELIABILITY's "first sync" section (issue 16): the demo's exact preview against the first pass's
writes, then a quiet incremental and a quiet full pass with records in error. Run: .venv/bin/python
scripts/first_sync_figures.py (the stores run in this process, over real HTTP on 127.0.0.1)."""
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from desktop.storage import models
from desktop.storage.db import init_db
from desktop.sync.engine import SyncEngine
from desktop.sync.preview import describe_fields
from desktop.sync.vocabulary import ReadScope
from tests.integration.stores import connect
from tests.integration.test_engine_products import settings, open_up
from tests.integration import test_first_sync_trust as t
init_db(Path(tempfile.mkdtemp()) / "s.sqlite3")
c = open_up(connect("demo"))
e = SyncEngine(c.bc, c.hike, settings())
t.hike_product(c, e, "X-DUP", description="Made for the store")
t.bc_product(c, "DUP-TEE", variants=[("X-DUP", "S"), ("DUP-TEE-M", "M")])
dry = e.dry_run()
print("\n".join(describe_fields(dry.fields)))
c.requests("hike", clear=True); c.requests("bigcommerce", clear=True)
run = e.run_pass("first_sync", ("products", "inventory", "customers"))
p, w = t._previewed(dry), t._written(c, run)
print(f"previewed {len(p)} writes, the pass made {len(w)}; only previewed {len(p - w)}, only written {len(w - p)}")
print("errors kept:", models.Link.select().where(models.Link.last_result == "error").count())
for scope in (None, ReadScope.FULL):
    c.requests("hike", clear=True); c.requests("bigcommerce", clear=True)
    e.run_pass("schedule", ("products", "inventory", "customers"), scope=scope)
    n = {s: len([r for r in c.requests(s) if r["method"] != "GET"]) for s in ("hike", "bigcommerce")}
    g = {s: len(c.requests(s)) for s in ("hike", "bigcommerce")}
    print(f"quiet pass {scope or 'incremental'}: writes {n}, all requests {g}")
c.close()
