// Packs and unpacks interpreter-snapshot-like buffers with web/boot/snapshot_file.mjs under Node; prints, per case,
// whether the bytes came back identical, the kind read back and the stored size (tests/pyodide/test_snapshot_file.py).
import { pack, unpack } from "../../web/boot/snapshot_file.mjs";

function sample(length, seed) {
  const bytes = new Uint8Array(length);
  let x = seed;
  const rand = () => { x = (x * 1103515245 + 12345) >>> 0; return x; };
  // Dense data, runs of zeros of every length (inside a word, a few words, past the gap, whole pages), the last
  // bytes set, as a wasm heap has them.
  for (let at = 0; at < length;) {
    const run = rand() % 6000, zeros = rand() % 3 === 0 ? rand() % 9000 : rand() % 40;
    for (let i = at; i < Math.min(at + run, length); i++) bytes[i] = rand() % 4 === 0 ? 0 : (rand() & 0xff) || 1;
    at += run + zeros;
  }
  if (length) bytes[length - 1] = 7;
  return bytes;
}

const cases = [[0, "app"], [3, "bare"], [4096, "app"], [1 << 20, "app"], [(1 << 20) + 3, "bare"]];
const out = [];
for (const [length, kind] of cases) {
  const snap = sample(length, length + 1);
  const stored = pack(snap, kind);
  const back = unpack(stored);
  const same = back.bytes.length === snap.length && back.bytes.every((b, i) => b === snap[i]);
  out.push({ length, same, kind: back.kind, stored: stored.length });
}
// A mostly empty heap (the snapshot's case): the zeros are not stored.
const empty = new Uint8Array(1 << 22);
empty.set(sample(1 << 16, 9), 1000);
const stored = pack(empty, "app");
out.push({ length: empty.length, same: unpack(stored).bytes.every((b, i) => b === empty[i]), kind: "app", stored: stored.length });
// Not a packed snapshot (a dense one from an older version, or garbage): refused.
try {
  unpack(new Uint8Array(64));
  out.push({ refused: false });
} catch {
  out.push({ refused: true });
}
console.log(JSON.stringify(out));
