/**
 * Starts Pyodide without WebAssembly stack switching (JSPI), as on a browser that has none.
 *
 * Why: where `WebAssembly.Suspending` exists (Chromium), Pyodide runs every call into Python from its event loop
 * on a JSPI secondary stack. Chromium's sampling heap profiler (its HeapProfilerReporting feature, on in a share
 * of browser sessions) records a sampled allocation's stack by walking frame pointers up to the thread's stack
 * end; on a secondary stack that walk reads past the stack's mapping: SIGSEGV, the tab dies ("Aw, Snap!",
 * Playwright's "Target crashed"). Seen here 3 times in ~1,000 POS boots, each time at the same instruction
 * (Chromium's own crash dumps: the fault address is the end of the crashing stack's mapping, in a frame-pointer
 * stack scan called from malloc), and at will with the profiler's sampling forced (tests/e2e/test_no_jspi.py).
 * The POS never blocks on a JS promise from Python (no run_sync, no run_until_complete): it loses nothing.
 *
 * Must not: leave WebAssembly.Suspending hidden after the start (it is put back for any other code), or be
 * skipped where a memory snapshot is made (snapshot.mjs: a snapshot is made the way it is restored).
 */
const NAMES = ["Suspending", "Suspender"]; // the JSPI API and its older form, both probed by Pyodide

/** Run `start()` (a loadPyodide call) with JSPI hidden from it; resolves to what it resolves to. */
export async function withoutStackSwitching(start) {
  const saved = [];
  for (const name of NAMES) {
    const descriptor = Object.getOwnPropertyDescriptor(WebAssembly, name);
    if (descriptor && descriptor.configurable) {
      saved.push([name, descriptor]);
      delete WebAssembly[name];
    }
  }
  try {
    return await start();
  } finally {
    for (const [name, descriptor] of saved) Object.defineProperty(WebAssembly, name, descriptor);
  }
}
