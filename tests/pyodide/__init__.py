"""Tests that need real Pyodide (Node) or the runtime that build_runtime.mjs puts in web/vendor/."""
