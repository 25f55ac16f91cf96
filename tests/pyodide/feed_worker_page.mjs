// Runs web/idb/feed_worker.js under Node against a fake ERP (the pages given on stdin, as the ERP serialises them)
// and prints what it posted and which paths it fetched, for tests/pyodide/test_feed_worker.py.
// stdin: {pages: {path: {status, body}}, steps: [{op, ...} | {wait: n}], failPut: error name or absent}: each op is
// posted to the worker; a wait lets n rounds of the event loop run. IndexedDB is a fake of the few calls idb.js
// chunkAppend makes, on a database the main thread already created (no upgrade); it prints the chunks stored per
// store, by key. Must not open a real database nor reach a network.
const input = JSON.parse(await (async () => { let s = ""; for await (const p of process.stdin) s += p; return s; })());
const posted = [];
const fetched = [];
const stores = { catalog_chunks: new Map(), customer_chunks: new Map() };
const later = (fn) => setTimeout(fn, 0);
const tails = {}; // store -> promise of its last transaction's end: read/write transactions on a store run in order
globalThis.IDBKeyRange = { bound: () => ({}), only: () => ({}) };
globalThis.indexedDB = {
  open() {
    const db = {
      transaction(name) {
        const writes = [];
        const ready = tails[name] || Promise.resolve();
        let finished;
        tails[name] = new Promise((resolve) => { finished = resolve; });
        const tx = {
          objectStore: () => ({
            openCursor() {
              const r = {};
              ready.then(() => later(() => {
                const keys = [...stores[name].keys()];
                r.result = keys.length ? { key: Math.max(...keys) } : null;
                r.onsuccess();
                later(commit);
              }));
              return r;
            },
            put(value, key) { writes.push([key, value]); },
          }),
        };
        const commit = () => {
          if (input.failPut) {
            tx.error = new DOMException("fake", input.failPut);
            tx.onabort();
          } else {
            for (const [k, v] of writes) stores[name].set(k, v);
            tx.oncomplete();
          }
          finished();
        };
        return tx;
      },
    };
    const r = { result: db };
    later(() => r.onsuccess());
    return r;
  },
};
globalThis.self = { postMessage: (m) => posted.push(m) };
globalThis.fetch = async (path) => {
  fetched.push(path);
  const p = input.pages[path];
  if (!p) throw new TypeError("Failed to fetch");
  const bytes = new TextEncoder().encode(p.body);
  return { ok: p.status < 300, status: p.status, arrayBuffer: async () => bytes.buffer, text: async () => p.body };
};
await import(new URL("../../web/idb/feed_worker.js", import.meta.url).href);
const idle = () => new Promise((r) => setTimeout(r, 0));
for (const step of input.steps) {
  if (step.wait) { for (let i = 0; i < step.wait; i++) await idle(); continue; }
  self.onmessage({ data: step });
}
for (let i = 0; i < 20; i++) await idle();
const b64 = (u8) => Buffer.from(u8.buffer, u8.byteOffset, u8.length).toString("base64");
const out = posted.map((m) => {
  if (!m.page) return m;
  const { columns, ...page } = m.page;
  return { ...m, page: { ...page, columns: columns && Object.fromEntries(Object.entries(columns).map(([k, v]) => [k, b64(v)])) } };
});
const stored = Object.fromEntries(Object.entries(stores).map(([k, m]) => [k, Object.fromEntries(m)]));
process.stdout.write(JSON.stringify({ posted: out, fetched, stored }));
