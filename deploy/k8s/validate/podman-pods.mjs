#!/usr/bin/env node
// Turns the workload part of the Kubernetes manifests into what podman 4.3's
// `kube play` runs, for deploy/k8s/kube-play (its smoke run):
//
//   node podman-pods.mjs PREFIX SUBNET OUT FILE...
//
// FILE...: the manifests (ConfigMaps, Secrets, Deployments, StatefulSets,
// Services; other kinds are left out). SUBNET: the first three numbers of the
// podman network's /24 (10.89.3); the pods get .10, .11, ... in order. Writes
// into OUT:
//   secrets/<PREFIX>-<name>.json  each Secret as podman's kube play reads one
//                                 (a JSON object of base64 values), for
//                                 `podman secret create`
//   pods/<PREFIX>-<pod>.yaml      each pod: every ConfigMap, then the Pod
//   pods.tsv                      phase, pod, IP, container, probe: the
//                                 readiness probe as "http URL" or "exec ARGS"
//   volumes.txt                   the named volumes of the claims
//
// Each replica of a Deployment or StatefulSet becomes a Pod <PREFIX>-<name>-<k>
// with the template's spec unchanged but for what podman 4.3 lacks, done the
// way Kubernetes does it:
//   - a Service's name and a StatefulSet pod's <pod>.<service> name are
//     hostAliases to the pods' static IPs (no cluster DNS, no Service IPs:
//     a Service goes to its first pod);
//   - a volumeClaimTemplate is a persistentVolumeClaim <PREFIX>-<claim>-<pod>;
//   - $(VAR) in an env value is the earlier variable's value (podman leaves it);
//   - Secrets are renamed <PREFIX>-<name> (podman keeps them by name, for all
//     users of the machine) and created beforehand: podman 4.3 cannot read a
//     Secret it made from YAML into an env variable ("is not valid JSON");
//   - the probes are taken out (podman would run an httpGet probe with curl in
//     the container, which the images do not have): kube-play runs the
//     readiness probe itself against the pod's IP, as the kubelet would;
//   - so are the containerPorts: podman 4.3 publishes each on the host's own
//     port (two replicas would collide, and NATS would be open to the world).
// StatefulSets are phase 1 (started and ready first), Deployments phase 2.
// Its test: podman-pods.test.mjs (ctest k8s_podman_pods).
import { readFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

let parseAllDocuments, stringify;
try {
  ({ parseAllDocuments, stringify } = await import("yaml"));
} catch {
  console.error("deploy/k8s/validate: its npm packages are not installed: run npm ci in deploy/k8s/validate");
  process.exit(2);
}

const [prefix, subnet, out, ...files] = process.argv.slice(2);
if (!prefix || !/^\d+\.\d+\.\d+$/.test(subnet ?? "") || !out || !files.length) {
  console.error("usage: node podman-pods.mjs PREFIX SUBNET(a.b.c) OUT FILE...");
  process.exit(2);
}

const objects = [];
for (const file of files) {
  for (const document of parseAllDocuments(readFileSync(file, "utf8"))) {
    if (document.errors.length) throw new Error(`${file}: ${document.errors[0].message}`);
    const object = document.toJS();
    if (object?.kind) objects.push(object);
  }
}
const ofKind = (kind) => objects.filter((o) => o.kind === kind);
const configMaps = ofKind("ConfigMap");
const secrets = new Map(ofKind("Secret").map((s) => [s.metadata.name, s]));

function secretValue(name, key) {
  const secret = secrets.get(name);
  if (!secret) throw new Error(`no Secret ${name} among the files`);
  if (secret.stringData?.[key] !== undefined) return String(secret.stringData[key]);
  if (secret.data?.[key] !== undefined) return Buffer.from(secret.data[key], "base64").toString();
  throw new Error(`the Secret ${name} has no key ${key}`);
}

// The pods, in order: StatefulSets first.
const pods = [];
let host = 10;
for (const [phase, kind] of [[1, "StatefulSet"], [2, "Deployment"]]) {
  for (const workload of ofKind(kind)) {
    for (let k = 0; k < (workload.spec.replicas ?? 1); k++) {
      const short = `${workload.metadata.name}-${k}`;
      pods.push({ phase, workload, short, name: `${prefix}-${short}`, ip: `${subnet}.${host++}` });
    }
  }
}
if (host > 250) throw new Error("more pods than the /24 holds");

// Every name a pod may look up, to the IP of the pod that answers it.
const hosts = new Map();
for (const service of ofKind("Service")) {
  const selected = pods.filter((p) =>
    Object.entries(service.spec.selector ?? {}).every(([k, v]) => p.workload.spec.template.metadata.labels?.[k] === v),
  );
  if (selected.length) hosts.set(service.metadata.name, selected[0].ip);
}
for (const pod of pods) {
  if (pod.workload.kind === "StatefulSet") hosts.set(`${pod.short}.${pod.workload.spec.serviceName}`, pod.ip);
}
const hostAliases = [...hosts].map(([name, ip]) => ({ ip, hostnames: [name] }));

function expandedEnv(container, podName) {
  const known = new Map();
  for (const from of container.envFrom ?? []) {
    const map = configMaps.find((c) => c.metadata.name === from.configMapRef?.name);
    for (const [k, v] of Object.entries(map?.data ?? {})) known.set(k, String(v));
  }
  return (container.env ?? []).map((variable) => {
    const ref = variable.valueFrom;
    if (ref?.secretKeyRef) {
      known.set(variable.name, secretValue(ref.secretKeyRef.name, ref.secretKeyRef.key));
      return { ...variable, valueFrom: { secretKeyRef: { ...ref.secretKeyRef, name: `${prefix}-${ref.secretKeyRef.name}` } } };
    }
    if (ref?.fieldRef?.fieldPath === "metadata.name") known.set(variable.name, podName);
    if (variable.value === undefined) return variable;
    const value = String(variable.value).replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (all, name) => known.get(name) ?? all);
    known.set(variable.name, value);
    return { ...variable, value };
  });
}

function readiness(container, ip) {
  const probe = container.readinessProbe;
  if (probe?.httpGet) {
    const port = typeof probe.httpGet.port === "number"
      ? probe.httpGet.port
      : container.ports.find((p) => p.name === probe.httpGet.port).containerPort;
    return `http http://${ip}:${port}${probe.httpGet.path ?? "/"}`;
  }
  if (probe?.exec) return `exec ${probe.exec.command.join(" ")}`;
  return "none";
}

mkdirSync(join(out, "secrets"), { recursive: true });
mkdirSync(join(out, "pods"), { recursive: true });
for (const [name, secret] of secrets) {
  const data = {};
  for (const key of Object.keys({ ...secret.data, ...secret.stringData })) {
    data[key] = Buffer.from(secretValue(name, key)).toString("base64");
  }
  writeFileSync(join(out, "secrets", `${prefix}-${name}.json`), JSON.stringify(data));
}

const rows = [];
const volumes = [];
for (const pod of pods) {
  const template = structuredClone(pod.workload.spec.template);
  const spec = template.spec;
  spec.hostAliases = hostAliases;
  for (const claim of pod.workload.spec.volumeClaimTemplates ?? []) {
    const volume = `${prefix}-${claim.metadata.name}-${pod.short}`;
    volumes.push(volume);
    spec.volumes = [...(spec.volumes ?? []), { name: claim.metadata.name, persistentVolumeClaim: { claimName: volume } }];
  }
  spec.containers = spec.containers.map((container) => {
    rows.push([pod.phase, pod.name, pod.ip, `${pod.name}-${container.name}`, readiness(container, pod.ip)].join("\t"));
    const { readinessProbe, livenessProbe, startupProbe, ports, ...rest } = container;
    return { ...rest, env: expandedEnv(container, pod.name) };
  });
  const manifest = { apiVersion: "v1", kind: "Pod", metadata: { name: pod.name, labels: template.metadata.labels }, spec };
  writeFileSync(join(out, "pods", `${pod.name}.yaml`), [...configMaps, manifest].map((o) => stringify(o)).join("---\n"));
}
writeFileSync(join(out, "pods.tsv"), rows.join("\n") + "\n");
writeFileSync(join(out, "volumes.txt"), volumes.join("\n") + (volumes.length ? "\n" : ""));
console.log(`${pods.length} pods, ${secrets.size} secrets, ${volumes.length} volumes in ${out}`);
