// Page weight per screen: the gzip size of the JS and CSS a screen downloads (its chunk, everything it
// imports statically, the entry), read from Vite's build manifest. Run after `npm run build`:
//   node scripts/weight.mjs
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const build = new URL("../../saleor_crm_plugin/dashboard/build/", import.meta.url).pathname;
const manifest = JSON.parse(readFileSync(join(build, ".vite/manifest.json"), "utf8"));
const gzipped = (file) => gzipSync(readFileSync(join(build, file)), { level: 9 }).length;

/** Files a chunk needs before it runs: itself, its CSS, its static imports (recursively). */
function closure(key, seen = new Set()) {
  if (seen.has(key)) return seen;
  seen.add(key);
  for (const imported of manifest[key].imports ?? []) closure(imported, seen);
  return seen;
}

function files(keys) {
  const out = new Set();
  for (const key of keys) {
    out.add(manifest[key].file);
    for (const css of manifest[key].css ?? []) out.add(css);
  }
  return out;
}

const entry = closure("index.html");
const screens = Object.keys(manifest).filter((key) => manifest[key].isDynamicEntry && key.startsWith("src/"));
const rows = [["index.html (entry only)", files(entry)]];
for (const screen of screens) rows.push([screen.replace(/^src\//, ""), files(closure(screen, new Set(entry)))]);
rows.push(["shell.html (sandbox only)", files(closure("shell.html"))]);

for (const [name, set] of rows) {
  let js = 0;
  let css = 0;
  for (const file of set) {
    if (file.endsWith(".css")) css += gzipped(file);
    else js += gzipped(file);
  }
  const kb = (n) => (n / 1024).toFixed(1).padStart(6);
  console.log(`${name.padEnd(42)} JS ${kb(js)} kB  CSS ${kb(css)} kB  total ${kb(js + css)} kB gzip`);
}
