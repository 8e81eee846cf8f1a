import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/** Where the plugin serves the built app: Saleor routes it to the plugin, the sandbox mirrors it. */
export const APP_BASE = "/plugins/global/saleor.crm/app/";

const CHARTS = /node_modules\/@visx\//;

export default defineConfig({
  base: APP_BASE,
  plugins: [react()],
  build: {
    outDir: "../saleor_crm_plugin/dashboard/build",
    emptyOutDir: true,
    assetsDir: "assets",
    manifest: true, // .vite/manifest.json: what each screen loads (scripts/weight.mjs reads it)
    target: "es2020",
    chunkSizeWarningLimit: 400,
    rollupOptions: {
      // shell.html is the sandbox's stand-in for Saleor Dashboard (served by sandbox/shell.py only).
      input: { index: "index.html", shell: "shell.html" },
      output: {
        // React, macaw-ui and App Bridge in one long-cached chunk shared by every screen and the shell;
        // the charting library (visx and the d3 pieces it bundles) only in the Analytics page's own chunk.
        manualChunks: (id) => (CHARTS.test(id) ? "visx" : id.includes("node_modules") ? "vendor" : undefined),
      },
    },
  },
  server: {
    // `npm run dev` against a running sandbox (`scripts/demo`): API and the shell stay on Django.
    proxy: {
      "/plugins/global/saleor.crm/graphql": "http://127.0.0.1:8000",
    },
  },
});
