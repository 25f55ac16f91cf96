/**
 * The interpreter snapshot as stored in Cache Storage (snapshot.mjs makes and restores it).
 *
 * - Sparse: a snapshot is the whole wasm memory, and most of it is zeros (the heap's untouched tail and freed
 *   pages): only the runs that are not zeros are stored (gaps of at least GAP_BYTES of zeros are left out), with a
 *   table of where they go. About half the bytes to read at every open, and rebuilding it is a few copies into a
 *   fresh zero-filled buffer.
 * - Read on the page's thread, as before it was sparse: reading it in a Worker and transferring the rebuilt buffer
 *   was measured no faster at 1x (the Worker's start and its module fetches through the service worker cost what
 *   the read saved) and could not be shown faster at 4x on a loaded machine.
 * - The header says whether the snapshot holds the app already imported ("app") or only the interpreter ("bare",
 *   the fallback when importing the app failed where it was made), so the boot can say which it restored.
 *
 * Must not: decide whether a snapshot fits this runtime and app version (snapshot.mjs compares the key), nor touch
 * anything but the snapshot cache.
 */
import { SNAPSHOT_CACHE } from "../idb/idb_core.js";

const MAGIC = 0x31505343; // "CSP1", little-endian
const GAP_BYTES = 1024; // a zero run this long ends a stored run: few runs, little of the zeros kept
const KINDS = ["", "app", "bare"];

/** `snap` (Pyodide's makeMemorySnapshot bytes) as stored: header, run table, then the runs' bytes. */
export function pack(snap, kind) {
  if (snap.byteOffset % 4 !== 0) snap = snap.slice();
  const words = new Uint32Array(snap.buffer, snap.byteOffset, snap.length >> 2);
  const gap = GAP_BYTES >> 2;
  const runs = []; // [start, end) in words
  let i = 0;
  const n = words.length;
  while (i < n) {
    while (i < n && words[i] === 0) i++;
    if (i >= n) break;
    const start = i;
    let end = i;
    let zeros = 0;
    for (; i < n; i++) {
      if (words[i] !== 0) { zeros = 0; end = i + 1; } else if (++zeros >= gap) break;
    }
    runs.push([start, end]);
    i = end;
  }
  const tail = snap.length & 3; // a length that is not whole words: its last bytes are always stored
  const head = 4 + 2 * runs.length;
  let size = head * 4 + tail;
  for (const [s, e] of runs) size += (e - s) * 4;
  const out = new Uint8Array(size);
  const table = new Uint32Array(out.buffer, 0, head);
  table.set([MAGIC, snap.length, runs.length, Math.max(0, KINDS.indexOf(kind))]);
  let at = head * 4;
  runs.forEach(([s, e], k) => {
    table[4 + 2 * k] = s * 4;
    table[5 + 2 * k] = (e - s) * 4;
    out.set(snap.subarray(s * 4, e * 4), at);
    at += (e - s) * 4;
  });
  out.set(snap.subarray(snap.length - tail), at);
  return out;
}

/** {bytes: the snapshot as makeMemorySnapshot made it, kind: "app" | "bare" | ""} from `pack`'s output. */
export function unpack(stored) {
  const header = new Uint32Array(stored.buffer, stored.byteOffset, 4);
  if (header[0] !== MAGIC) throw new Error("caja: not a packed interpreter snapshot");
  const [, length, count, kind] = header;
  const table = new Uint32Array(stored.buffer, stored.byteOffset + 16, 2 * count);
  const bytes = new Uint8Array(length); // zero-filled: the gaps need no writing
  let at = 16 + 8 * count;
  for (let k = 0; k < count; k++) {
    const offset = table[2 * k], size = table[2 * k + 1];
    bytes.set(stored.subarray(at, at + size), offset);
    at += size;
  }
  const tail = length & 3;
  bytes.set(stored.subarray(at, at + tail), length - tail);
  return { bytes, kind: KINDS[kind] || "" };
}

/** The one stored snapshot: {key (its Cache Storage URL), bytes, kind}, or null. */
export async function readStored() {
  if (!globalThis.caches) return null;
  const cache = await caches.open(SNAPSHOT_CACHE);
  const [request] = await cache.keys();
  const response = request && (await cache.match(request));
  if (!response) return null;
  return { key: request.url, ...unpack(new Uint8Array(await response.arrayBuffer())) };
}
