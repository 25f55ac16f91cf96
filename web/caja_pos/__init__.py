"""The POS in the browser, in layers with one direction (docs/pos.md): screens/ → services/ → the store
(web/storage.py) and net/ → platform.py, the only module that touches `js` and `pyodide`; text/ (the cashier's
words) and poscore are below everything. app.py wires them in boot order. tests/web/test_layers.py keeps it so."""
