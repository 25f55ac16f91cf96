/**
 * Products as the catalog index takes them (poscore.catalog.CatalogIndex.add_json): their columns ids, active,
 * codes and names as bytes (columnsBinary), the chunk's UTF-8 bytes and each product's byte span in them;
 * and a feed page parsed into that, with the chunk to store. Pure functions, shared by the boot Worker
 * (catalog_cols.js, stored chunks) and the feed Worker (feed_worker.js, first-load pages).
 *
 * Must not touch IndexedDB, the network or the DOM, nor decide anything about products: it only copies fields out.
 */

const enc = new TextEncoder();
const dec = new TextDecoder();

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

const SEP = "\x1f", RS = "\x1e"; // poscore/codes.py's separators: between codes, between a product's barcodes

/**
 * The index columns of `items` as bytes, `{ids, active, codes, names}`, or null when a product lacks a field, has
 * an odd type, an id that is not a 32-bit unsigned integer, or a code holds a separator. `ids` is a Uint32Array's
 * bytes, `active` one byte (0 or 1) per product, `codes` poscore/codes.py `joined`'s text as UTF-8 (each product's
 * barcodes joined by RS, then each SKU, all between SEPs) and `names` the names joined by newlines as UTF-8
 * (poscore.catalog CatalogIndex.add_json): Python takes each with one C call (a memoryview cast, a UTF-8 decode),
 * where the same columns as JSON cost it a third of a warm open's indexing (the separators and newlines were escapes
 * for its string scanner). A name holding a newline is Python's to refuse (it parses that page whole).
 */
function columnsBinary(items) {
  const n = items.length;
  const ids = new Uint32Array(n), active = new Uint8Array(n), bars = new Array(n), skus = new Array(n);
  const names = new Array(n);
  for (let i = 0; i < n; i++) {
    const p = items[i];
    if (p === null || typeof p !== "object" || !Number.isInteger(p.id) || p.id < 0 || p.id > 0xFFFFFFFF
        || !Array.isArray(p.barcodes) || typeof p.sku !== "string" || typeof p.active !== "boolean"
        || typeof p.name !== "string") return null;
    for (const b of p.barcodes) if (typeof b !== "string") return null;
    ids[i] = p.id; bars[i] = p.barcodes.join(RS); skus[i] = p.sku; active[i] = p.active ? 1 : 0; names[i] = p.name;
  }
  const codes = bars.join(SEP) + (n ? SEP : "") + skus.join(SEP);
  // a separator inside a code would read as two codes
  let seps = 0, rss = 0, want = 0;
  for (let i = 0; i < codes.length; i++) { const c = codes.charCodeAt(i); if (c === 31) seps++; else if (c === 30) rss++; }
  for (const p of items) want += Math.max(0, p.barcodes.length - 1);
  if (seps !== Math.max(0, 2 * n - 1) || rss !== want) return null;
  return { ids: new Uint8Array(ids.buffer), active, codes: enc.encode(codes), names: enc.encode(names.join("\n")) };
}

/**
 * The index columns of a chunk's products, `{ids, active, codes, names, data, spans}`, each a Uint8Array: the
 * columns (columnsBinary), the chunk's bytes and spans (encodeChunk) of `texts` (each product's own JSON); or null
 * when a product lacks a field or has an odd type (Python then parses the chunk whole).
 */
export function columnsOf(items, texts) {
  const cols = columnsBinary(items);
  if (cols === null) return null;
  const { bytes, spans } = encodeChunk(texts);
  return { ...cols, data: bytes, spans };
}

/** The parts of a chunk's columns (columnsOf), in the order Python reads them (web/caja_pos/platform.py). */
export const COLUMN_PARTS = ["ids", "active", "codes", "names", "data", "spans"];

/** The same feed request with `after` moved on to `after` (a page's next_after), or null when it has no `after`. */
export function nextPath(path, after) {
  return /[?&]after=\d+/.test(path) ? path.replace(/([?&]after=)\d+/, `$1${after}`) : null;
}

/**
 * Where a feed page's `items` array and each of its items are in the page's UTF-8 bytes, by one pass over them:
 * {start, end (of the array, brackets included), spans (Uint32Array, [start, end) of each item, from `start`)},
 * or null when the page has no top-level `items` array. Why: the page's own bytes are the chunk to store and the
 * bytes Python keeps, so no product is serialised again to find where it is.
 */
export function itemSpans(b) {
  const n = b.length;
  let depth = 0, key = false, items = false, start = -1, item = -1, last = -1;
  const spans = [];
  for (let i = 0; i < n; i++) {
    const c = b[i];
    if (c === 32 || c === 10 || c === 13 || c === 9) continue;
    if (items && depth === 2 && item < 0 && c !== 44 && c !== 93) item = i;
    if (c === 34) { // a string: skip to its closing quote
      const open = i;
      for (i++; i < n && b[i] !== 34; i++) if (b[i] === 92) i++;
      if (i >= n) return null;
      // a top-level key "items"
      if (depth === 1 && start < 0) key = i - open === 6 && b[open + 1] === 105 && b[open + 2] === 116 && b[open + 3] === 101
        && b[open + 4] === 109 && b[open + 5] === 115;
    } else if (c === 123 || c === 91) {
      depth++;
      if (depth === 2 && c === 91 && key && start < 0) { items = true; start = i; }
    } else if (c === 125 || c === 93) {
      if (items && depth === 2) { // the array ends
        if (item >= 0) spans.push(item - start, last + 1 - start);
        return { start, end: i + 1, spans: Uint32Array.from(spans) };
      }
      depth--;
    } else if (c === 44) {
      if (items && depth === 2) { spans.push(item - start, last + 1 - start); item = -1; }
      if (depth === 1) key = false;
    }
    last = i;
  }
  return null;
}

const ITEMS_KEY = enc.encode('"items":[');

/**
 * Where a feed page's `items` and each item are, as itemSpans answers, when the page has one item per line as the
 * ERP writes it (server/api/feeds.py _page_json: `"items":[` newline, the items joined by `,` newline, newline `]`),
 * found with the native byte search (a raw newline never occurs inside JSON text, so the page's first newline
 * ends `"items":[`); else null (itemSpans then scans every byte, ≈1 ms a 2,000-product page). `n` is how many
 * items the page parsed into: a different count, or a span that does not start with `{` and end with `}`, is null.
 */
export function lineSpans(b, n) {
  const first = b.indexOf(10);
  const start = first - 1;
  if (n < 1 || start < ITEMS_KEY.length - 1) return null;
  for (let k = 0; k < ITEMS_KEY.length; k++) if (b[start - ITEMS_KEY.length + 1 + k] !== ITEMS_KEY[k]) return null;
  const spans = new Uint32Array(2 * n);
  let at = first + 1;
  for (let i = 0; i < n; i++) {
    const nl = b.indexOf(10, at);
    if (nl < 0) return null;
    const last = i === n - 1; // "item,\n", and for the last "item\n]"
    const end = last ? nl : nl - 1;
    if (b[at] !== 123 || b[end - 1] !== 125 || (last ? b[nl + 1] !== 93 : b[end] !== 44)) return null;
    spans[2 * i] = at - start;
    spans[2 * i + 1] = end - start;
    at = nl + 1;
  }
  return { start, end: at + 1, spans };
}

/**
 * The chunk of `items` as the bytes they were parsed from, `bytes` being a page `{"items": [...], …}`: {own (the
 * array's bytes), start, end (where they are in `bytes`), columns ({ids, active, codes, names, data: own, spans}, when `withColumns` and
 * every product has its fields; else null)}, or null when the scan does not find exactly these items (then they are serialised again).
 */
function ownChunk(items, bytes, withColumns) {
  const at = lineSpans(bytes, items.length) ?? itemSpans(bytes);
  if (at === null || at.spans.length !== 2 * items.length) return null;
  const own = bytes.subarray(at.start, at.end);
  const cols = withColumns ? columnsBinary(items) : null;
  const columns = cols && { ...cols, data: own, spans: new Uint8Array(at.spans.buffer) };
  return { own, start: at.start, end: at.end, columns };
}

/**
 * A feed page as the POS keeps it, from its UTF-8 bytes: {version, next_after, total, count, chunk (the items as
 * the JSON stored, idb.chunkAppend: the page's own text of its array), columns ({ids, active, codes, names, data, spans}, when
 * `withColumns` and every product has its fields; else null)}.
 */
export function feedPage(bytes, withColumns) {
  const text = dec.decode(bytes);
  const data = JSON.parse(text);
  const items = data.items;
  const mine = Array.isArray(items) ? ownChunk(items, bytes, withColumns) : null;
  const head = { version: data.version, next_after: data.next_after ?? null, total: data.total, count: items.length };
  if (mine === null) { // not as the ERP writes pages: serialised again
    const texts = items.map((p) => JSON.stringify(p));
    return { ...head, chunk: "[" + texts.join(",") + "]", columns: withColumns ? columnsOf(items, texts) : null };
  }
  // The array's text cut out of the page's (its brackets are ASCII, so the bytes before and after it decode
  // alone): decoding its ≈0.5 MB again was ≈2 ms a page of the feed Worker.
  const from = dec.decode(bytes.subarray(0, mine.start)).length;
  const to = text.length - dec.decode(bytes.subarray(mine.end)).length;
  return { ...head, chunk: text.slice(from, to), columns: mine.columns };
}

/**
 * The index columns of a stored chunk (its JSON text), as columnsOf gives them, or null when it is not an array or
 * a product lacks a field. A chunk is a page's own array text (feedPage), so the same scan finds its products
 * and none is serialised again on an open; older chunks the scan does not match are serialised as before.
 */
export function storedColumns(text) {
  const items = JSON.parse(text);
  if (!Array.isArray(items)) return null;
  const mine = ownChunk(items, enc.encode(`{"items":${text}}`), true);
  return mine !== null ? mine.columns : columnsOf(items, items.map((p) => JSON.stringify(p)));
}
