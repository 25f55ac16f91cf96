// Runs web/idb/catalog_cols.js's pageColumns under Node on the products given on stdin (a JSON array) and prints
// its answer base64'd, for tests/pyodide/test_catalog_cols.py; with the argument "stored", catalog_json.js's
// storedColumns on stdin's text as a stored chunk instead; with "spans", catalog_json.js's lineSpans and itemSpans
// of stdin's text as a feed page. Must not open a database (Node has none).
globalThis.IDBKeyRange = { bound: () => null }; // idb.js builds a key range when imported; nothing here uses it
const cols = await import(new URL("../../web/idb/catalog_cols.js", import.meta.url).href);
let input = "";
for await (const part of process.stdin) input += part;
const { COLUMN_PARTS, storedColumns, lineSpans, itemSpans } = await import(new URL("../../web/idb/catalog_json.js", import.meta.url).href);
if (process.argv[2] === "spans") {
  const bytes = new TextEncoder().encode(input);
  const plain = (s) => s && { start: s.start, end: s.end, spans: [...s.spans] };
  const n = JSON.parse(input).items.length;
  process.stdout.write(JSON.stringify({ line: plain(lineSpans(bytes, n)), scan: plain(itemSpans(bytes)) }));
  process.exit(0);
}
const items = JSON.parse(input);
const c = process.argv[2] === "stored" ? storedColumns(input)
  : cols.pageColumns({ items, texts: items.map((p) => JSON.stringify(p)) });
const b64 = (u8) => Buffer.from(u8.buffer, u8.byteOffset, u8.length).toString("base64");
process.stdout.write(JSON.stringify(c && Object.fromEntries(COLUMN_PARTS.map((k) => [k, b64(c[k])]))));
