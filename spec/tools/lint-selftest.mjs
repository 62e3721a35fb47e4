// Proves the lint ruleset (redocly.yaml) is not a no-op: each case breaks one of our
// conventions on an in-memory copy of openapi.yaml and expects the named rule to report
// it; the unbroken spec must produce no problem of these rules. Run by `make lint-spec`.
//
//   node lint-selftest.mjs ../../openapi.yaml
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { lintFromString, loadConfig, parseYaml, stringifyYaml } from "@redocly/openapi-core";

const here = path.dirname(fileURLToPath(import.meta.url));
const specPath = path.resolve(process.argv[2] ?? path.join(here, "..", "..", "openapi.yaml"));
const base = parseYaml(readFileSync(specPath, "utf8"));
const config = await loadConfig({ configPath: path.join(here, "redocly.yaml") });

const ch = (d) => d.paths["/v3/aggracct-bc/wb-channel/account/balance"].get;
const ec = (d) => d.paths["/v3/ecommerce/fund/balance/{sub_mchid}"].get;
const schemas = (d) => d.components.schemas;

// [what is broken, expected rule, mutation]
const cases = [
  ["operationId removed", "operation-operationId", (d) => delete ch(d).operationId],
  ["operationId not PascalCase", "rule/operation-operationid-pascal-case", (d) => (ch(d).operationId = "queryAccountBalance")],
  ["operation description removed", "operation-description", (d) => delete ec(d).description],
  ["operation security removed", "rule/operation-security-explicit", (d) => delete ec(d).security],
  ["common 401 response removed", "rule/operation-common-error-responses", (d) => delete ec(d).responses["401"]],
  ["error codes of a 4xx removed", "rule/error-response-codes", (d) => delete ec(d).responses["403"]["x-wechatpay-errors"]],
  ["parameter example removed", "rule/parameter-example", (d) => delete ch(d).parameters[0].example],
  ["parameter maxLength removed", "rule/parameter-string-limits", (d) => delete ch(d).parameters[0].schema.maxLength],
  ["undocumented parameter extension", "rule/parameter-known-keys", (d) => (ch(d).parameters[0]["x-foo"] = 1)],
  ["x-wechatpay-encrypted not true", "rule/parameter-encrypted-boolean", (d) => (ch(d).parameters[1]["x-wechatpay-encrypted"] = "yes")],
  ["undocumented operation extension", "rule/operation-known-keys", (d) => (ch(d)["x-foo"] = 1)],
  ["undocumented schema extension", "rule/schema-known-extensions", (d) => (schemas(d).WechatPayError["x-foo"] = 1)],
  ["x-wechatpay-updated removed", "rule/operation-updated-and-merchants", (d) => delete ch(d)["x-wechatpay-updated"]],
  ["enum meanings removed", "rule/enum-documented", (d) => delete schemas(d).AccountType["x-enum-descriptions"]],
  ["property description removed", "rule/schema-property-description", (d) => delete schemas(d).ECommerceBalance.properties.pending_amount.description],
  ["property example removed", "scalar-property-missing-example", (d) => delete schemas(d).ECommerceBalance.properties.pending_amount.example],
  ["header description removed", "rule/header-description", (d) => delete d.components.headers["Request-ID"].description],
  ["signed-answer header missing", "response-contains-header", (d) => delete ec(d).responses["404"].headers["Request-ID"]],
  ["error body example removed", "rule/media-type-example", (d) => delete ec(d).responses["404"].content["application/json"].example],
  ["example not matching schema", "no-invalid-media-type-examples", (d) => (ec(d).responses["404"].content["application/json"].example = { code: 1 })],
  ["extension not documented in info", "rule/vendor-extensions-documented", (d) => (d.info.description = d.info.description.replaceAll("x-wechatpay-merchants", "x-merchants"))],
  ["x-wechatpay-source not documented in info", "rule/vendor-extensions-documented", (d) => (d.info.description = d.info.description.replaceAll("x-wechatpay-source", "x-source"))],
  ["undocumented response extension", "rule/response-known-keys", (d) => (ec(d).responses["404"]["x-foo"] = 1)],
];

const rulesOf = async (doc) => {
  const problems = await lintFromString({ source: stringifyYaml(doc), absoluteRef: specPath, config });
  return problems.filter((p) => p.severity === "error").map((p) => p.ruleId);
};

const wanted = new Set(cases.map((c) => c[1]));
const before = new Set(await rulesOf(base));
let passed = 0;
let failed = 0;
let skipped = 0;
for (const [what, rule, mutate] of cases) {
  const doc = structuredClone(base);
  try {
    mutate(doc);
  } catch (e) {
    console.log(`FAIL  ${what}: cannot apply to this spec (${e.message}); update lint-selftest.mjs`);
    failed++;
    continue;
  }
  const after = await rulesOf(doc);
  // A rule already firing on the unbroken spec (a known, ignored defect) proves nothing here.
  if (before.has(rule)) {
    console.log(`skip  ${what}: ${rule} already reports the unbroken spec`);
    skipped++;
    continue;
  }
  if (after.includes(rule)) {
    console.log(`ok    ${what} → ${rule}`);
    passed++;
  } else {
    console.log(`FAIL  ${what}: ${rule} did not report it (got: ${[...new Set(after)].join(", ") || "nothing"})`);
    failed++;
  }
}
const unexpected = [...before].filter((r) => wanted.has(r) && r !== "no-invalid-media-type-examples");
if (unexpected.length > 0) {
  console.log(`FAIL  the unbroken spec already violates: ${unexpected.join(", ")}`);
  failed++;
}
console.log(`lint-selftest: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed === 0 ? 0 : 1);
