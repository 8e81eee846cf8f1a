// Hive Gateway in front of Saleor and the CRM plugin (README "One GraphQL endpoint with Saleor (gateway)").
//   SUPERGRAPH          the composed supergraph (scripts/compose-supergraph); default ../supergraph.graphql
//   STOREFRONT_ORIGINS  comma-separated origins whose pages may call the gateway from the browser
import { defineConfig } from "@graphql-hive/gateway";

const storefrontOrigins = new Set(
  (process.env.STOREFRONT_ORIGINS || "")
    .split(",")
    .map((origin) => origin.trim().replace(/\/$/, ""))
    .filter(Boolean),
);

export const gatewayConfig = defineConfig({
  supergraph: process.env.SUPERGRAPH || "../supergraph.graphql",
  // Both subgraphs authenticate the caller themselves: the shopper's or staff JWT goes to each.
  propagateHeaders: {
    fromClientToSubgraphs: ({ request }) => ({ authorization: request.headers.get("authorization") }),
  },
  // Like the plugin's own endpoint: a listed origin is echoed exactly, any other gets no CORS headers.
  cors: (request) => {
    const origin = request.headers.get("origin");
    return storefrontOrigins.has(origin)
      ? {
          origin: [origin],
          methods: ["POST", "GET", "OPTIONS"],
          allowedHeaders: ["Authorization", "Content-Type"],
          maxAge: 600,
          credentials: false, // bearer tokens, never cookies
        }
      : false;
  },
  plugins: () => [{ onResponse: ({ response }) => response.headers.append("Vary", "Origin") }],
});
