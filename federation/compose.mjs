// Composes Saleor's federation SDL and the CRM's into a supergraph with a real composer
// (@theguild/federation-composition, the same rules and messages as Apollo's), so a gateway
// (Hive Gateway, Apollo Router) serves both behind one endpoint. scripts/compose-supergraph runs it.
//
//   node compose.mjs --saleor SALEOR.graphql --crm CRM.graphql --out supergraph.graphql \
//     [--saleor-url http://store/graphql/] [--crm-url http://store/plugins/global/saleor.crm/graphql/]
//
// Exits 1 with the composer's errors on stderr when the two schemas don't compose.
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { parse } from "graphql";
import { composeServices, compositionHasErrors } from "@theguild/federation-composition";

const { values } = parseArgs({
  options: {
    saleor: { type: "string" },
    crm: { type: "string" },
    out: { type: "string" },
    "saleor-url": { type: "string", default: "http://localhost:8000/graphql/" },
    "crm-url": { type: "string", default: "http://localhost:8000/plugins/global/saleor.crm/graphql/" },
  },
});
for (const name of ["saleor", "crm", "out"]) {
  if (!values[name]) {
    console.error(`compose.mjs: --${name} is required`);
    process.exit(2);
  }
}

function subgraph(name, path, url) {
  try {
    return { name, url, typeDefs: parse(readFileSync(path, "utf8")) };
  } catch (error) {
    console.error(`compose.mjs: ${name} SDL (${path}): ${error.message}`);
    process.exit(1);
  }
}

const result = composeServices([
  subgraph("saleor", values.saleor, values["saleor-url"]),
  subgraph("crm", values.crm, values["crm-url"]),
]);
if (compositionHasErrors(result)) {
  for (const error of result.errors) {
    const code = error.extensions?.code ? `[${error.extensions.code}] ` : "";
    console.error(`${code}${error.message}`);
  }
  console.error(`compose.mjs: ${result.errors.length} composition error(s)`);
  process.exit(1);
}
writeFileSync(values.out, result.supergraphSdl);
console.log(`compose.mjs: wrote ${values.out} (saleor ${values["saleor-url"]}, crm ${values["crm-url"]})`);
