/**
 * Shell behaviour that must work before Python starts: the runtime progress bar (PyScript's `py:progress`
 * events) and the service worker registration (scoped to the POS).
 *
 * Must not hold app logic: once Python is up, web/pos.py owns the page.
 */
import { hooks } from "./vendor/pyscript/core.js";

// PyScript 0.7.31 ships one built-in *worker* hook; composing worker hooks calls Function() (hooks.js
// createFunction), which our CSP forbids (no 'unsafe-eval'). The POS runs no PyScript worker, so drop it.
for (const set of Object.values(hooks.worker)) set.clear();

const bar = document.getElementById("boot-bar");
const text = document.getElementById("boot-text");

// PyScript reports its steps; we map them onto the bar so the cashier sees the runtime coming up.
const STEPS = ["Loading Pyodide", "Loading Storage", "Loaded Storage", "Loading interpreter",
  "Loaded interpreter", "Loaded Pyodide"];
addEventListener("py:progress", (event) => {
  const i = STEPS.indexOf(event.detail);
  if (i >= 0 && bar && !document.documentElement.dataset.pyReady) {
    bar.style.width = `${Math.round(((i + 1) / (STEPS.length + 1)) * 100)}%`;
    if (text && event.detail === "Loading interpreter") text.textContent = "Cargando Python…";
  }
});

addEventListener("error", (event) => {
  if (text && !document.documentElement.dataset.pyReady) {
    text.textContent = `Error al iniciar: ${event.message || event.error}`;
  }
});

if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("sw.js", { scope: "./" }).catch((e) => console.warn("caja: service worker", e));
}
