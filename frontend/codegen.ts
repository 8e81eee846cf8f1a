import type { CodegenConfig } from "@graphql-codegen/cli";

/**
 * Types for every query in src/ from the committed SDL: a schema change that breaks a page breaks
 * `npm run build` instead. Documents are emitted as strings (no GraphQL runtime in the bundle).
 */
const config: CodegenConfig = {
  schema: "../saleor_crm_plugin/graphql/schema.graphql",
  documents: ["src/**/*.{ts,tsx}", "!src/gql/**/*"],
  ignoreNoDocuments: true,
  generates: {
    "src/gql/": {
      preset: "client",
      config: {
        documentMode: "string",
        enumsAsTypes: true,
        useTypeImports: true,
        scalars: {
          DateTime: "string",
          Date: "string",
          Decimal: "string",
          JSONString: "string",
          UUID: "string",
        },
      },
      presetConfig: { fragmentMasking: false },
    },
  },
};

export default config;
