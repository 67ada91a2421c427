// validate.mjs against manifests made here: one that passes, and for each kind
// of mistake one that must fail, with the problem named (node --test; ctest
// k8s_validator).
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const validator = new URL("./validate.mjs", import.meta.url).pathname;
const folder = mkdtempSync(join(tmpdir(), "fd-k8s-validate-"));
process.on("exit", () => rmSync(folder, { recursive: true, force: true }));

let files = 0;
function write(text) {
  const file = join(folder, `case-${++files}.yaml`);
  writeFileSync(file, text);
  return file;
}

function validate(paths) {
  return new Promise((resolve) => {
    execFile(process.execPath, [validator, ...paths], (error, stdout, stderr) => {
      resolve({ status: error ? error.code : 0, output: stdout + stderr });
    });
  });
}

// A Deployment that meets every rule; each case below breaks one thing of it.
const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: order
  labels:
    app.kubernetes.io/name: order
spec:
  replicas: 2
  selector:
    matchLabels:
      app.kubernetes.io/name: order
  template:
    metadata:
      labels:
        app.kubernetes.io/name: order
    spec:
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
        seccompProfile:
          type: RuntimeDefault
      containers:
        - name: order
          image: fooddelivery/order:latest
          ports:
            - name: http
              containerPort: 8080
          resources:
            requests:
              cpu: 100m
              memory: 128Mi
            limits:
              cpu: "1"
              memory: 512Mi
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop:
                - ALL
          startupProbe:
            httpGet:
              path: /health
              port: http
          readinessProbe:
            httpGet:
              path: /health
              port: http
          livenessProbe:
            httpGet:
              path: /health
              port: http
`;

function broken(from, to) {
  assert.ok(deployment.includes(from), `the case's text to replace is in the Deployment: ${from}`);
  return deployment.replace(from, to);
}

test("a Deployment that meets every rule passes", async () => {
  const { status, output } = await validate([write(deployment)]);
  assert.equal(status, 0, output);
  assert.match(output, /1 file\(s\) valid/);
});

const cases = [
  ["a misspelt field", broken("readinessProbe:", "readinesProbe:"), /\/spec\/template\/spec\/containers\/0\/readinesProbe: unknown field "readinesProbe"/],
  ["an unknown field in metadata", broken("  labels:\n    app", "  labells:\n    app"), /\/metadata\/labells: unknown field/],
  ["a number written as a string", broken("replicas: 2", 'replicas: "2"'), /\/spec\/replicas: must be integer/],
  ["a port written as a string", broken("containerPort: 8080", 'containerPort: "8080"'), /containerPort: must be integer/],
  ["a required field missing", broken("  selector:\n    matchLabels:\n      app.kubernetes.io/name: order\n", ""), /\/spec: must have required property selector/],
  ["a quantity that is none", broken("memory: 512Mi", "memory: 512MB!"), /limits\/memory: must match format "quantity"/],
  ["a kind that does not exist", broken("kind: Deployment", "kind: Deploymnet"), /no schema for apps\/v1 Deploymnet/],
  ["a key given twice", broken("  replicas: 2\n", "  replicas: 2\n  replicas: 3\n"), /YAML: Map keys must be unique/],
  ["a name the API server refuses", broken("  name: order\n  labels", "  name: Order_1\n  labels"), /\/metadata\/name: "Order_1" is not a DNS subdomain/],
  ["privilege escalation allowed", broken("allowPrivilegeEscalation: false", "allowPrivilegeEscalation: true"), /allowPrivilegeEscalation: must be false \(restricted\)/],
  ["root allowed", broken("runAsNonRoot: true", "runAsNonRoot: false"), /runAsNonRoot must be true \(restricted\)/],
  ["capabilities kept", broken("- ALL", "- NET_RAW"), /capabilities\/drop: must include ALL/],
  ["no seccomp profile", broken("        seccompProfile:\n          type: RuntimeDefault\n", ""), /seccompProfile must be RuntimeDefault or Localhost/],
  ["a writable root filesystem", broken("readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false"), /readOnlyRootFilesystem: must be true/],
  ["no memory limit", broken("              memory: 512Mi\n", ""), /resources\/limits\/memory: missing/],
  ["no startup probe", broken("          startupProbe:\n            httpGet:\n              path: /health\n              port: http\n", ""), /startupProbe: missing/],
  ["a Service's name that is no DNS label", "apiVersion: v1\nkind: Service\nmetadata:\n  name: 1order\nspec:\n  ports:\n    - port: 80\n", /"1order" is not a DNS label/],
  ["a Kustomization's resource that does not exist", "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - present.yaml\n  - absent.yaml\n", /\/resources: absent\.yaml does not exist/],
  ["a mistake in a file's second document", `${deployment}---\n${broken("replicas: 2", "replicas: two")}`, /document 2 \(Deployment order\): \/spec\/replicas: must be integer/],
];

// Every case in one run of the validator (one process: node starts slowly), each in a file
// of its own; a case's problems are the lines that begin with its file's name.
const written = cases.map(([what, text, problem]) => ({ what, problem, file: write(text) }));
let run;
before(async () => {
  writeFileSync(join(folder, "present.yaml"), deployment);
  run = await validate(written.map((c) => c.file));
});

test("the run with the broken manifests fails", () => {
  assert.equal(run.status, 1, run.output);
  assert.match(run.output, new RegExp(`problem\\(s\\) in ${written.length} file\\(s\\)`));
});

for (const { what, problem, file } of written) {
  test(`fails: ${what}`, () => {
    const lines = run.output.split("\n").filter((line) => line.startsWith(`${file}:`));
    assert.ok(lines.length, `no problem found in ${file}:\n${run.output}`);
    assert.match(lines.join("\n"), problem);
  });
}

test("only what is wrong is named", () => {
  assert.doesNotMatch(run.output, /present\.yaml does not exist/);
  const second = written.find((c) => c.what === "a mistake in a file's second document");
  assert.doesNotMatch(run.output, new RegExp(`${second.file}: document 1`));
});
