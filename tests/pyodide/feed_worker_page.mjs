// Runs web/idb/feed_worker.js under Node against a fake ERP (the pages given on stdin, as the ERP serialises them)
// and prints what it posted and which paths it fetched, for tests/pyodide/test_feed_worker.py.
// stdin: {pages: {path: {status, body}}, steps: [{op, ...} | {wait: n}]}: each op is posted to the worker; a wait
// lets n rounds of the event loop run. Must not open a database nor reach a network.
const input = JSON.parse(await (async () => { let s = ""; for await (const p of process.stdin) s += p; return s; })());
const posted = [];
const fetched = [];
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
  return { ...m, page: { ...page, columns: columns && { cols: b64(columns.cols), data: b64(columns.data), spans: b64(columns.spans) } } };
});
process.stdout.write(JSON.stringify({ posted: out, fetched }));
