/**
 * Products as the catalog index takes them (poscore.catalog.CatalogIndex.add_json): their columns
 * `[ids, barcodes, skus, active, names]` as UTF-8 JSON, the chunk's UTF-8 bytes and each product's byte span in them;
 * and a feed page parsed into that, with the chunk to store. Pure functions, shared by the boot Worker
 * (catalog_cols.js, stored chunks) and the feed Worker (feed_worker.js, first-load pages).
 *
 * Must not touch IndexedDB, the network or the DOM, nor decide anything about products: it only copies fields out.
 */

const enc = new TextEncoder();

/**
 * The chunk `"[" + texts.join(",") + "]"` as UTF-8 bytes, and each product's [start, end) in them (a Uint32Array,
 * two per product): Python keeps the bytes and parses a product's span only when it builds that product
 * (poscore.catalog.CatalogIndex.add_json). Encoded text by text straight into one buffer, so the spans are in
 * bytes (names have accents) without a second pass.
 */
export function encodeChunk(texts) {
  let chars = 2;
  for (const t of texts) chars += t.length + 1;
  let buf = new Uint8Array(chars + (chars >> 3) + 16);
  const spans = new Uint32Array(2 * texts.length);
  let at = 0;
  buf[at++] = 91; // "["
  for (let i = 0; i < texts.length; i++) {
    const t = texts[i];
    if (buf.length - at < 3 * t.length + 2) {  // room for the worst case: 3 bytes per UTF-16 unit
      const grown = new Uint8Array(2 * buf.length + 3 * t.length + 2);
      grown.set(buf.subarray(0, at));
      buf = grown;
    }
    if (i) buf[at++] = 44; // ","
    const { written } = enc.encodeInto(t, buf.subarray(at));
    spans[2 * i] = at;
    at += written;
    spans[2 * i + 1] = at;
  }
  buf[at++] = 93; // "]"
  return { bytes: buf.subarray(0, at), spans: new Uint8Array(spans.buffer) };
}

/** The index columns of `items` as UTF-8 JSON, or null when a product lacks a field or has an odd type. */
function columnsJson(items) {
  const n = items.length;
  const ids = new Array(n), bars = new Array(n), skus = new Array(n), active = new Array(n), names = new Array(n);
  for (let i = 0; i < n; i++) {
    const p = items[i];
    if (p === null || typeof p !== "object" || typeof p.id !== "number" || !Array.isArray(p.barcodes)
        || typeof p.sku !== "string" || typeof p.active !== "boolean" || typeof p.name !== "string") return null;
    ids[i] = p.id; bars[i] = p.barcodes; skus[i] = p.sku; active[i] = p.active; names[i] = p.name;
  }
  return enc.encode(JSON.stringify([ids, bars, skus, active, names]));
}

/**
 * The index columns of a chunk's products, `{cols, data, spans}`: the columns JSON (columnsJson), the chunk's
 * bytes and spans (encodeChunk) of `texts` (each product's own JSON); or null when a product lacks a field or has
 * an odd type (Python then parses the chunk whole).
 */
export function columnsOf(items, texts) {
  const cols = columnsJson(items);
  if (cols === null) return null;
  const { bytes, spans } = encodeChunk(texts);
  return { cols, data: bytes, spans };
}

/**
 * A feed page's text as the POS keeps it: {version, next_after, total, count, chunk (the items as the JSON stored,
 * idb.chunkAppend), columns (columnsOf, when `withColumns` and every product has its fields; else null)}.
 */
export function feedPage(text, withColumns) {
  const data = JSON.parse(text);
  const items = data.items;
  const texts = items.map((p) => JSON.stringify(p));
  return { version: data.version, next_after: data.next_after ?? null, total: data.total, count: items.length,
           chunk: "[" + texts.join(",") + "]", columns: withColumns ? columnsOf(items, texts) : null };
}
