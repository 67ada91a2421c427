// podman-pods.mjs on a small set of manifests: what it writes for podman kube play is
// what Kubernetes would run (node --test; ctest k8s_validator).
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";

const script = new URL("./podman-pods.mjs", import.meta.url).pathname;
const folder = mkdtempSync(join(tmpdir(), "fd-podman-pods-"));
process.on("exit", () => rmSync(folder, { recursive: true, force: true }));

const manifests = `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  GREETING: hello
---
apiVersion: v1
kind: Secret
metadata:
  name: passwords
stringData:
  db: p1e5
---
apiVersion: v1
kind: Service
metadata:
  name: db
spec:
  selector:
    app: db
  ports:
    - port: 5432
---
apiVersion: v1
kind: Service
metadata:
  name: app
spec:
  selector:
    app: app
  ports:
    - port: 80
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: db-peers
  replicas: 2
  selector:
    matchLabels:
      app: db
  template:
    metadata:
      labels:
        app: db
    spec:
      containers:
        - name: db
          image: example/db:latest
          env:
            - name: PASSWORD
              valueFrom:
                secretKeyRef:
                  name: passwords
                  key: db
            - name: PEER
              value: "db://me:$(PASSWORD)@db-0.db-peers:5432"
          ports:
            - name: sql
              containerPort: 5432
          readinessProbe:
            exec:
              command: ["ready", "-q"]
  volumeClaimTemplates:
    - metadata:
        name: data
      spec:
        accessModes: [ReadWriteOnce]
        resources:
          requests:
            storage: 1Gi
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  replicas: 1
  selector:
    matchLabels:
      app: app
  template:
    metadata:
      labels:
        app: app
    spec:
      containers:
        - name: app
          image: example/app:latest
          envFrom:
            - configMapRef:
                name: settings
          env:
            - name: WELCOME
              value: "$(GREETING), $(UNKNOWN)"
          ports:
            - name: http
              containerPort: 8080
          readinessProbe:
            httpGet:
              path: /health
              port: http
          livenessProbe:
            httpGet:
              path: /health
              port: http
`;

let out;
before(async () => {
  const file = join(folder, "manifests.yaml");
  writeFileSync(file, manifests);
  out = join(folder, "out");
  await new Promise((resolve, reject) => {
    execFile(process.execPath, [script, "t", "10.1.2", out, file], (error, stdout, stderr) =>
      error ? reject(new Error(stderr || error.message)) : resolve(stdout));
  });
});

const pod = (name) => parseAllDocuments(readFileSync(join(out, "pods", `${name}.yaml`), "utf8")).map((d) => d.toJS());

test("one pod per replica, StatefulSets first, each with its IP and readiness probe", () => {
  assert.equal(
    readFileSync(join(out, "pods.tsv"), "utf8"),
    [
      "1\tt-db-0\t10.1.2.10\tt-db-0-db\texec ready -q",
      "1\tt-db-1\t10.1.2.11\tt-db-1-db\texec ready -q",
      "2\tt-app-0\t10.1.2.12\tt-app-0-app\thttp http://10.1.2.12:8080/health",
      "",
    ].join("\n"),
  );
});

test("each pod file holds the ConfigMaps, then the Pod", () => {
  const [settings, manifest] = pod("t-app-0");
  assert.equal(settings.kind, "ConfigMap");
  assert.equal(settings.data.GREETING, "hello");
  assert.equal(manifest.kind, "Pod");
  assert.equal(manifest.metadata.name, "t-app-0");
  assert.deepEqual(manifest.metadata.labels, { app: "app" });
});

test("Services and a StatefulSet's pods are host aliases of the pods' IPs", () => {
  const aliases = Object.fromEntries(pod("t-app-0")[1].spec.hostAliases.map((a) => [a.hostnames[0], a.ip]));
  assert.deepEqual(aliases, {
    db: "10.1.2.10",
    app: "10.1.2.12",
    "db-0.db-peers": "10.1.2.10",
    "db-1.db-peers": "10.1.2.11",
  });
});

test("$(VAR) takes an earlier variable's value, from a Secret or a ConfigMap; an unknown one stays", () => {
  const db = pod("t-db-1")[1].spec.containers[0];
  assert.equal(db.env.find((e) => e.name === "PEER").value, "db://me:p1e5@db-0.db-peers:5432");
  const app = pod("t-app-0")[1].spec.containers[0];
  assert.equal(app.env.find((e) => e.name === "WELCOME").value, "hello, $(UNKNOWN)");
});

test("Secrets are renamed with the prefix and written as podman reads them", () => {
  const db = pod("t-db-0")[1].spec.containers[0];
  assert.equal(db.env.find((e) => e.name === "PASSWORD").valueFrom.secretKeyRef.name, "t-passwords");
  assert.deepEqual(JSON.parse(readFileSync(join(out, "secrets", "t-passwords.json"), "utf8")), {
    db: Buffer.from("p1e5").toString("base64"),
  });
});

test("a claim template is a named volume per pod", () => {
  assert.deepEqual(pod("t-db-1")[1].spec.volumes, [{ name: "data", persistentVolumeClaim: { claimName: "t-data-db-1" } }]);
  assert.equal(readFileSync(join(out, "volumes.txt"), "utf8"), "t-data-db-0\nt-data-db-1\n");
});

test("no probes and no containerPorts are left for podman", () => {
  for (const name of ["t-db-0", "t-app-0"]) {
    const container = pod(name)[1].spec.containers[0];
    for (const field of ["readinessProbe", "livenessProbe", "startupProbe", "ports"]) {
      assert.equal(container[field], undefined, `${name}: ${field}`);
    }
    assert.ok(container.image.startsWith("example/"));
  }
});
