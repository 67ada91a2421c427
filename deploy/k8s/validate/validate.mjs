#!/usr/bin/env node
// Checks Kubernetes manifests offline, as an API server would take them:
//
//   node deploy/k8s/validate/validate.mjs FILE...
//
// Each YAML document (a key given twice is an error) is validated against the
// JSON schema of its apiVersion and kind in Kubernetes 1.34's OpenAPI document
// (npm kubernetes-models: ajv validators compiled from it), and, as
// `kubectl apply --validate=strict` does, a field the schema does not know
// (a typo: readinesProbe) is an error too. Beyond the schemas: names must be
// what the API server accepts, a Kustomization's resources must exist, and
// every pod template (Deployment, StatefulSet) must meet the Pod Security
// Standard "restricted" (non-root, no privilege escalation, capabilities
// dropped, seccomp RuntimeDefault), keep a read-only root filesystem, set
// requests and limits of cpu and memory, and have readiness, liveness and
// startup probes.
//
// Prints every problem as FILE: document N (Kind name): where: what, and a
// summary; exits 1 when there is any, 2 on bad usage or without its packages. Its test:
// deploy/k8s/validate/validate.test.mjs (npm test here).
import { readFileSync, existsSync } from "node:fs";
import { dirname, resolve } from "node:path";

// Installed by make test (npm ci here, as for web/), never at test time.
let parseAllDocuments, runValidateFunc;
try {
  ({ parseAllDocuments } = await import("yaml"));
  ({ runValidateFunc } = await import("@kubernetes-models/validate"));
  await import("kubernetes-models/_schemas/IoK8sApiCoreV1ConfigMap");
} catch {
  console.error("deploy/k8s/validate: its npm packages are not installed: run make test, or npm ci in deploy/k8s/validate");
  process.exit(2);
}

// kubernetes-models names a kind's schema IoK8sApi<Group><Version><Kind>, the
// group being the first label of the API group ("" is Core).
function schemaName(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const groupName = group === "" ? "Core" : group.split(".")[0];
  const capital = (s) => s.charAt(0).toUpperCase() + s.slice(1);
  return `IoK8sApi${capital(groupName)}${capital(version)}${kind}`;
}

async function validatorFor(apiVersion, kind) {
  try {
    const module = await import(`kubernetes-models/_schemas/${schemaName(apiVersion, kind)}`);
    return module.validate;
  } catch {
    return null;
  }
}

// A copy of VALUE whose objects record which fields the validator asked for:
// a compiled validator reads every field its schema names, and enumerates the
// keys only of a map (labels, a ConfigMap's data). A key of a non-map object
// that was never read is a field the schema does not have.
function tracked(value, path, records) {
  if (Array.isArray(value)) return value.map((item, i) => tracked(item, `${path}/${i}`, records));
  if (value === null || typeof value !== "object") return value;
  const record = { path, keys: Object.keys(value), read: new Set(), enumerated: false };
  records.push(record);
  const copy = {};
  for (const key of record.keys) copy[key] = tracked(value[key], `${path}/${key}`, records);
  return new Proxy(copy, {
    get(target, key, receiver) {
      if (typeof key === "string") record.read.add(key);
      return Reflect.get(target, key, receiver);
    },
    has(target, key) {
      if (typeof key === "string") record.read.add(key);
      return Reflect.has(target, key);
    },
    ownKeys(target) {
      record.enumerated = true;
      return Reflect.ownKeys(target);
    },
  });
}

function schemaProblems(validate, object) {
  const records = [];
  const problems = [];
  try {
    runValidateFunc(validate, tracked(object, "", records)); // throws with the errors worded
  } catch (e) {
    if (!Array.isArray(e.errors)) throw e;
    for (const error of e.errors) problems.push(`${error.instancePath || "/"}: ${error.message}`);
  }
  for (const record of records) {
    if (record.enumerated) continue;
    for (const key of record.keys) {
      if (!record.read.has(key)) problems.push(`${record.path}/${key}: unknown field "${key}"`);
    }
  }
  return problems;
}

// The API server's name rules: most kinds take a DNS subdomain, a Service a
// DNS label starting with a letter (RFC 1035).
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
function nameProblems(object) {
  const name = object.metadata?.name;
  if (typeof name !== "string") return ["/metadata/name: missing"];
  if (object.kind === "Service") {
    return DNS_1035_LABEL.test(name) && name.length <= 63
      ? []
      : [`/metadata/name: "${name}" is not a DNS label (a-z, 0-9, '-', starting with a letter, at most 63)`];
  }
  return DNS_SUBDOMAIN.test(name) && name.length <= 253
    ? []
    : [`/metadata/name: "${name}" is not a DNS subdomain (a-z, 0-9, '-', '.', at most 253)`];
}

// The pod template's rules (see the header).
function podProblems(object) {
  const template = object.spec?.template;
  if (!template) return [];
  const pod = template.spec ?? {};
  const problems = [];
  const at = "/spec/template/spec";
  const podSecurity = pod.securityContext ?? {};
  for (const [i, c] of (pod.containers ?? []).entries()) {
    const where = `${at}/containers/${i}`;
    const security = c.securityContext ?? {};
    const nonRoot = security.runAsNonRoot ?? podSecurity.runAsNonRoot;
    const user = security.runAsUser ?? podSecurity.runAsUser;
    if (nonRoot !== true) problems.push(`${where}: runAsNonRoot must be true (restricted)`);
    if (user === 0) problems.push(`${where}: runAsUser 0 is root (restricted)`);
    if (security.allowPrivilegeEscalation !== false)
      problems.push(`${where}/securityContext/allowPrivilegeEscalation: must be false (restricted)`);
    if (!(security.capabilities?.drop ?? []).includes("ALL"))
      problems.push(`${where}/securityContext/capabilities/drop: must include ALL (restricted)`);
    const added = (security.capabilities?.add ?? []).filter((cap) => cap !== "NET_BIND_SERVICE");
    if (added.length) problems.push(`${where}/securityContext/capabilities/add: ${added.join(", ")} (restricted allows only NET_BIND_SERVICE)`);
    const seccomp = (security.seccompProfile ?? podSecurity.seccompProfile)?.type;
    if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost")
      problems.push(`${where}: seccompProfile must be RuntimeDefault or Localhost (restricted)`);
    if (security.privileged === true) problems.push(`${where}/securityContext/privileged: must not be true`);
    if (security.readOnlyRootFilesystem !== true)
      problems.push(`${where}/securityContext/readOnlyRootFilesystem: must be true`);
    for (const kind of ["requests", "limits"]) {
      for (const resource of ["cpu", "memory"]) {
        if (c.resources?.[kind]?.[resource] === undefined)
          problems.push(`${where}/resources/${kind}/${resource}: missing`);
      }
    }
    for (const probe of ["readinessProbe", "livenessProbe", "startupProbe"]) {
      if (!c[probe]) problems.push(`${where}/${probe}: missing`);
    }
  }
  if (pod.hostNetwork || pod.hostPID || pod.hostIPC) problems.push(`${at}: host namespaces are not allowed (restricted)`);
  for (const [i, v] of (pod.volumes ?? []).entries()) {
    if (v.hostPath) problems.push(`${at}/volumes/${i}/hostPath: not allowed (restricted)`);
  }
  return problems;
}

function kustomizationProblems(object, file) {
  return (object.resources ?? [])
    .filter((resource) => !existsSync(resolve(dirname(file), resource)))
    .map((resource) => `/resources: ${resource} does not exist`);
}

// Every problem of FILE, as lines.
async function fileProblems(file) {
  let text;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    return [`${file}: cannot read: ${e.message}`];
  }
  const lines = [];
  const documents = parseAllDocuments(text, { uniqueKeys: true, prettyErrors: true });
  for (const [index, document] of documents.entries()) {
    const where = `${file}: document ${index + 1}`;
    if (document.errors.length) {
      for (const e of document.errors) lines.push(`${where}: YAML: ${e.message.split("\n")[0]}`);
      continue;
    }
    const object = document.toJS();
    if (object === null || object === undefined) continue; // only comments
    if (typeof object !== "object" || Array.isArray(object)) {
      lines.push(`${where}: not a Kubernetes object (a mapping with apiVersion and kind)`);
      continue;
    }
    const { apiVersion, kind } = object;
    if (typeof apiVersion !== "string" || typeof kind !== "string") {
      lines.push(`${where}: apiVersion and kind must be strings`);
      continue;
    }
    const label = `${where} (${kind} ${object.metadata?.name ?? "?"})`;
    let problems;
    if (apiVersion === "kustomize.config.k8s.io/v1beta1" && kind === "Kustomization") {
      problems = kustomizationProblems(object, file);
    } else {
      const validate = await validatorFor(apiVersion, kind);
      if (!validate) {
        lines.push(`${label}: no schema for ${apiVersion} ${kind} in Kubernetes 1.34`);
        continue;
      }
      problems = [...schemaProblems(validate, object), ...nameProblems(object), ...podProblems(object)];
    }
    for (const problem of problems) lines.push(`${label}: ${problem}`);
  }
  return lines;
}

async function main(files) {
  if (!files.length || files.includes("-h") || files.includes("--help")) {
    console.error("usage: node deploy/k8s/validate/validate.mjs FILE...");
    return 2;
  }
  let count = 0;
  for (const file of files) {
    const lines = await fileProblems(file);
    for (const line of lines) console.log(line);
    count += lines.length;
  }
  console.log(count ? `${count} problem(s) in ${files.length} file(s)` : `${files.length} file(s) valid (Kubernetes 1.34 schemas, strict)`);
  return count ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
