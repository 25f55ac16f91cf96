"""tests/web: the POS glue (web/*.py that needs no browser) against fakes of IndexedDB (idb.js) and the ERP.

web/ is the root of the app zip (`import storage`, `import caja_pos.services.outbox`, not `import web.storage`), so web/
goes on sys.path here exactly as the zip goes on sys.path in Pyodide.
"""
from __future__ import annotations

import sys
from pathlib import Path

WEB = Path(__file__).resolve().parents[2] / "web"
if str(WEB) not in sys.path:
    sys.path.insert(0, str(WEB))
