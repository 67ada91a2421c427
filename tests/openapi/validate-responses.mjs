#!/usr/bin/env node
// Validates recorded HTTP answers against an OpenAPI 3.0 document with Ajv:
//
//   node tests/openapi/validate-responses.mjs docs/openapi.json RECORDED.json
//
// RECORDED.json is an array of {method, target, status, contentType, body} (body: the raw
// text), as tests/integration/openapi_responses_test.cpp writes it from a journey through
// the platform. Each answer is matched to its operation by method and path template
// (a literal segment wins over a {parameter}), then to the documented response of its
// status (or NXX, or default) and to the media type of its Content-Type, and its body is
// validated against that response's schema, strictly as OpenAPI 3.0 reads it: `nullable`
// allows null, but an `enum` must list null too (Ajv's reading, as the specification's).
// An answer whose path, method, status or media type the document does not have is a
// mismatch too, as is a body for a response documented without one.
//
// Prints every mismatch as METHOD TEMPLATE STATUS (target): what, and a summary; exits 1
// when there is any, 2 on bad usage or without its packages. Its test:
// tests/openapi/validate-responses.test.mjs (npm test here).
import { readFileSync, realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";

// Installed by make test (npm ci here, as for web/), never at test time.
let Ajv, addFormats;
try {
  ({ default: Ajv } = await import("ajv"));
  ({ default: addFormats } = await import("ajv-formats"));
} catch {
  console.error("tests/openapi: its npm packages are not installed: run make test, or npm ci in tests/openapi");
  process.exit(2);
}

const SCHEMA_BASE = "https://fooddelivery.invalid/openapi/schemas/";
const COMPONENT_SCHEMA = "#/components/schemas/";

// A copy of an OpenAPI schema whose references to components name the Ajv schema of each.
export function withAbsoluteRefs(value) {
  if (Array.isArray(value)) return value.map(withAbsoluteRefs);
  if (value === null || typeof value !== "object") return value;
  const out = {};
  for (const [key, item] of Object.entries(value)) {
    if (key === "$ref") {
      if (typeof item !== "string" || !item.startsWith(COMPONENT_SCHEMA))
        throw new Error(`a schema $ref outside ${COMPONENT_SCHEMA}: ${item}`);
      out.$ref = SCHEMA_BASE + item.slice(COMPONENT_SCHEMA.length);
    } else {
      out[key] = withAbsoluteRefs(item);
    }
  }
  return out;
}

// An Ajv that knows the document's component schemas, OpenAPI's formats and its `example`.
export function validatorOf(document) {
  const ajv = new Ajv({ strict: true, strictTypes: false, allErrors: true });
  addFormats(ajv);
  // OpenAPI's own formats: int64 and int32 are ranges of integers (JSON numbers above 2^53
  // lose precision here, but the platform's ids are far below), password only a hint.
  ajv.addFormat("int64", { type: "number", validate: (n) => Number.isInteger(n) });
  ajv.addFormat("int32", { type: "number", validate: (n) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
  ajv.addFormat("password", { type: "string", validate: () => true });
  ajv.addVocabulary(["example", "externalDocs", "xml"]);
  for (const [name, schema] of Object.entries(document.components?.schemas ?? {}))
    ajv.addSchema({ ...withAbsoluteRefs(schema), $id: SCHEMA_BASE + name });
  return ajv;
}

function resolve(document, value) {
  let seen = 0;
  while (value && typeof value.$ref === "string") {
    if (!value.$ref.startsWith("#/") || ++seen > 20) throw new Error(`cannot follow $ref ${value.$ref}`);
    value = value.$ref
      .slice(2)
      .split("/")
      .map((part) => part.replaceAll("~1", "/").replaceAll("~0", "~"))
      .reduce((node, part) => node?.[part], document);
  }
  return value;
}

const METHODS = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];

// The path template of a request target: every template whose segments match, the one
// with the most literal segments first (/riders/me/location before /riders/{riderId}/...).
function templateOf(document, target) {
  const segments = target.split("?")[0].split("/");
  let best = null;
  let bestLiterals = -1;
  for (const template of Object.keys(document.paths ?? {})) {
    const parts = template.split("/");
    if (parts.length !== segments.length) continue;
    let literals = 0;
    const fits = parts.every((part, i) => {
      if (/^\{[^}]+\}$/.test(part)) return segments[i] !== "";
      literals += 1;
      return part === segments[i];
    });
    if (fits && literals > bestLiterals) {
      best = template;
      bestLiterals = literals;
    }
  }
  return best;
}

function describe(errors) {
  return errors
    .map((e) => `${e.instancePath || "(body)"} ${e.message}${e.params?.allowedValues ? ` ${JSON.stringify(e.params.allowedValues)}` : ""}${e.params?.additionalProperty ? ` (${e.params.additionalProperty})` : ""}`)
    .join("; ");
}

// Every mismatch between the recorded answers and the document, as one line each.
export function check(document, recorded) {
  const ajv = validatorOf(document);
  const compiled = new Map();
  const faults = [];
  for (const answer of recorded) {
    const method = String(answer.method).toLowerCase();
    const template = templateOf(document, answer.target);
    const where = `${method.toUpperCase()} ${template ?? answer.target} ${answer.status} (${answer.target})`;
    if (!template) {
      faults.push(`${where}: no documented path matches`);
      continue;
    }
    const operation = document.paths[template][method];
    if (!METHODS.includes(method) || !operation) {
      faults.push(`${where}: the path has no such operation`);
      continue;
    }
    const responses = operation.responses ?? {};
    const status = String(answer.status);
    const documented = responses[status] ?? responses[`${status[0]}XX`] ?? responses.default;
    if (!documented) {
      faults.push(`${where}: status not documented (documented: ${Object.keys(responses).join(", ")})`);
      continue;
    }
    const response = resolve(document, documented);
    const body = answer.body ?? "";
    const content = response.content ?? {};
    if (Object.keys(content).length === 0) {
      if (body !== "") faults.push(`${where}: documented without a body, answered ${JSON.stringify(body.slice(0, 200))}`);
      continue;
    }
    const mediaType = String(answer.contentType ?? "").split(";")[0].trim().toLowerCase();
    const media = content[mediaType];
    if (!media) {
      faults.push(`${where}: Content-Type "${mediaType}" not documented (documented: ${Object.keys(content).join(", ")})`);
      continue;
    }
    if (!media.schema) continue;
    let parsed;
    try {
      parsed = JSON.parse(body);
    } catch (error) {
      faults.push(`${where}: the body is not JSON (${error.message}): ${body.slice(0, 200)}`);
      continue;
    }
    const key = `${template} ${method} ${status} ${mediaType}`;
    if (!compiled.has(key)) compiled.set(key, ajv.compile(withAbsoluteRefs(media.schema)));
    const validate = compiled.get(key);
    if (!validate(parsed)) faults.push(`${where}: ${describe(validate.errors)}`);
  }
  return faults;
}

function main(argv) {
  if (argv.length !== 2) {
    console.error("usage: validate-responses.mjs OPENAPI.json RECORDED.json");
    return 2;
  }
  const [documentPath, recordedPath] = argv;
  const document = JSON.parse(readFileSync(documentPath, "utf8"));
  const recorded = JSON.parse(readFileSync(recordedPath, "utf8"));
  if (!Array.isArray(recorded) || recorded.length === 0) {
    console.error(`${recordedPath}: no recorded answers`);
    return 2;
  }
  const faults = check(document, recorded);
  for (const fault of faults) console.error(fault);
  const operations = new Set(recorded.map((a) => `${a.method} ${templateOf(document, a.target)} ${a.status}`));
  console.log(
    `${recorded.length} answers (${operations.size} operation and status pairs) checked against ${documentPath}: ` +
      (faults.length === 0 ? "all valid" : `${faults.length} mismatches`),
  );
  return faults.length === 0 ? 0 : 1;
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url))
  process.exit(main(process.argv.slice(2)));
