// The validator of recorded answers (validate-responses.mjs) fails on each kind of mismatch,
// and docs/openapi.json is ready for it and for dredd: its schemas compile under strict Ajv,
// every required parameter has an example, and every request body's example is valid.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { check, validatorOf, withAbsoluteRefs } from "./validate-responses.mjs";

const documentPath = new URL("../../docs/openapi.json", import.meta.url);
const document = JSON.parse(readFileSync(documentPath, "utf8"));

const problem = (status) => JSON.stringify({ type: "about:blank", title: "Not Found", status, detail: "no store 9" });
test("every component schema of docs/openapi.json compiles under strict Ajv", () => {
  const ajv = validatorOf(document);
  for (const name of Object.keys(document.components.schemas))
    assert.doesNotThrow(() => ajv.getSchema(`https://fooddelivery.invalid/openapi/schemas/${name}`), name);
});

test("a documented problem answer is valid", () => {
  const faults = check(document, [
    { method: "GET", target: "/stores/9", status: 404, contentType: "application/problem+json", body: problem(404) },
    { method: "POST", target: "/auth/logout", status: 204, contentType: "", body: "" },
  ]);
  assert.deepEqual(faults, []);
});

test("each kind of mismatch is named with its operation, status and target", () => {
  const faults = check(document, [
    { method: "GET", target: "/stores/9", status: 418, contentType: "application/problem+json", body: problem(418) },
    { method: "GET", target: "/stores/9", status: 404, contentType: "text/html", body: "<html>" },
    { method: "GET", target: "/stores/9", status: 404, contentType: "application/problem+json", body: "{\"title\":1}" },
    { method: "GET", target: "/stores/9", status: 404, contentType: "application/problem+json", body: "not json" },
    { method: "POST", target: "/auth/logout", status: 204, contentType: "application/json", body: "{}" },
    { method: "GET", target: "/nowhere/1", status: 200, contentType: "application/json", body: "{}" },
    { method: "DELETE", target: "/stores/9", status: 200, contentType: "application/json", body: "{}" },
  ]);
  assert.equal(faults.length, 7, faults.join("\n"));
  assert.match(faults[0], /^GET \/stores\/\{storeId\} 418 \(\/stores\/9\): status not documented/);
  assert.match(faults[1], /Content-Type "text\/html" not documented/);
  assert.match(faults[2], /must have required property 'type'/);
  assert.match(faults[2], /\/title must be string/);
  assert.match(faults[3], /the body is not JSON/);
  assert.match(faults[4], /^POST \/auth\/logout 204 .*documented without a body/);
  assert.match(faults[5], /no documented path matches/);
  assert.match(faults[6], /no such operation/);
});

test("a literal segment wins over a parameter when matching a path", () => {
  const doc = {
    openapi: "3.0.3",
    paths: {
      "/riders/{riderId}/location": { get: { responses: { 200: { description: "other" } } } },
      "/riders/me/location": { get: { responses: { 404: { description: "none" } } } },
    },
  };
  assert.deepEqual(check(doc, [{ method: "GET", target: "/riders/me/location", status: 404, body: "" }]), []);
});

test("a nullable enum takes null only when null is among its values (OpenAPI 3.0, as Ajv reads it)", () => {
  const documentWith = (values) => ({
    openapi: "3.0.3",
    paths: {
      "/x": {
        get: {
          responses: {
            200: {
              description: "ok",
              content: {
                "application/json": {
                  schema: { type: "object", properties: { s: { type: "string", nullable: true, enum: values } } },
                },
              },
            },
          },
        },
      },
    },
  });
  const answer = [{ method: "GET", target: "/x", status: 200, contentType: "application/json", body: "{\"s\":null}" }];
  assert.equal(check(documentWith(["A"]), answer).length, 1);
  assert.deepEqual(check(documentWith(["A", null]), answer), []);
});

// dredd expands every URI template from the examples: a required parameter without one is
// its "processing error"; and it sends the request body's example.
test("every required parameter has an example or a default, every request body a valid example", () => {
  const ajv = validatorOf(document);
  const resolve = (value) =>
    value.$ref ? value.$ref.slice(2).split("/").reduce((node, part) => node[part], document) : value;
  const faults = [];
  for (const [template, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (method === "parameters" || method === "servers") continue;
      for (const parameter of [...(item.parameters ?? []), ...(operation.parameters ?? [])].map(resolve)) {
        if (parameter.required && parameter.example === undefined && parameter.schema?.default === undefined)
          faults.push(`${method.toUpperCase()} ${template}: parameter ${parameter.name} has no example`);
      }
      for (const [type, media] of Object.entries(operation.requestBody?.content ?? {})) {
        if (media.example === undefined) {
          faults.push(`${method.toUpperCase()} ${template}: request body ${type} has no example`);
          continue;
        }
        const validate = ajv.compile(withAbsoluteRefs(media.schema));
        if (!validate(media.example))
          faults.push(`${method.toUpperCase()} ${template}: its example is invalid: ${ajv.errorsText(validate.errors)}`);
      }
    }
  }
  assert.deepEqual(faults, []);
});
