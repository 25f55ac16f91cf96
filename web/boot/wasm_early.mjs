/**
 * Compiles Pyodide's wasm while the interpreter snapshot is still being read, and hands the compiled module to
 * loadPyodide.
 *
 * Why: loadPyodide fetches and compiles the wasm only once its `_loadSnapshot` bytes have arrived (it sizes the
 * memory from them), so on a till's open the compile (from Chromium's code cache, ≈10 MB of machine code) waited
 * for the snapshot's read from Cache Storage and then sat on the open's critical path. `WebAssembly.compileStreaming`
 * started with the page runs beside that read; loadPyodide's own `instantiateStreaming` call is then answered by
 * instantiating the module already compiled (same bytes, same URL: the imports are loadPyodide's own).
 *
 * Only where the service worker answers the page (a later open): the wasm then comes from its cache. On a first
 * visit the page's wasm download is left alone (a second fetch of the same URL would race the first one).
 *
 * Must not: change what is instantiated (only the module, never the imports), or stay installed after the start:
 * `WebAssembly.instantiateStreaming` is put back for any other code.
 */

/** Start compiling `url` now when a service worker controls the page; a Promise of the module, or null. */
export function compileEarly(url) {
  if (!globalThis.navigator?.serviceWorker?.controller || typeof WebAssembly.compileStreaming !== "function") {
    return null;
  }
  return WebAssembly.compileStreaming(fetch(url)).catch((error) => {
    console.warn("caja: early wasm compile failed; loadPyodide compiles it", error);
    return null;
  });
}

/**
 * Run `start()` (a loadPyodide call) with its `instantiateStreaming` of `url` answered by instantiating `compiled`
 * (compileEarly's promise); resolves to what `start()` resolves to. Without a compiled module nothing changes.
 */
export async function withCompiled(compiled, url, start) {
  if (!compiled) return start();
  const original = WebAssembly.instantiateStreaming;
  const path = new URL(url, location.href).pathname;
  WebAssembly.instantiateStreaming = async (source, imports) => {
    const [response, module] = await Promise.all([source, compiled]);
    if (!module || new URL(response.url, location.href).pathname !== path) {
      return original.call(WebAssembly, response, imports);
    }
    return { instance: await WebAssembly.instantiate(module, imports), module };
  };
  try {
    return await start();
  } finally {
    WebAssembly.instantiateStreaming = original;
  }
}
