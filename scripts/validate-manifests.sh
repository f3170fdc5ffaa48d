#!/usr/bin/env bash
# Validates the YAML under deploy/ without a cluster: every document parses (PyYAML) and has
# apiVersion, kind and metadata.name; Deployments have native gRPC readiness and liveness probes
# on a declared container port, resources, a non-root read-only container and a grace period
# longer than the drain; Services, the PDB and the HPA point at an existing Deployment and its
# labels; a headless Service exists; a kustomization lists existing files.
# Usage: scripts/validate-manifests.sh [DIR]     (default deploy/; installs PyYAML if missing)
set -euo pipefail
if [ $# -gt 0 ]; then
  DIR=$(cd "$1" 2>/dev/null && pwd) || { echo "validate-manifests: $1 is not a directory" >&2; exit 2; }
fi
cd "$(dirname "$0")/.."
DIR=${DIR:-deploy}
[ -d "$DIR" ] || { echo "validate-manifests: $DIR is not a directory" >&2; exit 2; }

if ! python3 -c 'import yaml' 2>/dev/null; then
  echo "validate-manifests: installing PyYAML" >&2
  timeout 300 python3 -m pip install --quiet --disable-pip-version-check pyyaml >&2 ||
    timeout 300 python3 -m pip install --quiet --disable-pip-version-check --user pyyaml >&2
fi

timeout 60 python3 - "$DIR" <<'PY'
import sys
from pathlib import Path

import yaml

root = Path(sys.argv[1])
passed = failed = 0


def check(name, problems):
    global passed, failed
    if problems:
        failed += 1
        print(f"FAIL {name}")
        for p in problems:
            print(f"     {p}")
    else:
        passed += 1
        print(f"ok   {name}")


def get(doc, path, default=None):
    for key in path.split("."):
        if not isinstance(doc, dict) or key not in doc:
            return default
        doc = doc[key]
    return doc


def subset(small, big):
    return bool(small) and all(big.get(k) == v for k, v in small.items())


# Parse every file; keep (file, document) pairs.
docs = []
files = sorted(p for p in root.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
check(f"YAML files found under {root}", [] if files else ["none"])
for f in files:
    try:
        loaded = [d for d in yaml.safe_load_all(f.read_text(encoding="utf-8")) if d is not None]
        problems = [] if loaded else ["no documents"]
    except yaml.YAMLError as e:
        loaded, problems = [], [f"does not parse: {e}"]
    problems += [f"document {i + 1} is not a mapping" for i, d in enumerate(loaded) if not isinstance(d, dict)]
    check(f"{f}: parses", problems)
    docs += [(f, d) for d in loaded if isinstance(d, dict)]


def named(d):
    return f"{d.get('kind')}/{get(d, 'metadata.name')}"


by_kind = {}
for f, d in docs:
    by_kind.setdefault(d.get("kind"), []).append((f, d))

for f, d in docs:
    if d.get("kind") == "Kustomization":
        problems = [] if d.get("apiVersion") else ["no apiVersion"]
        problems += [f"resource {r} missing" for r in d.get("resources", []) if not (f.parent / r).exists()]
        check(f"{f}: Kustomization resources exist", problems)
        continue
    problems = [f"no {key}" for key in ("apiVersion", "kind", "metadata.name") if not get(d, key)]
    check(f"{f}: {named(d)} has apiVersion, kind, metadata.name", problems)

deployments = {get(d, "metadata.name"): d for _, d in by_kind.get("Deployment", [])}
check("a Deployment exists", [] if deployments else ["none"])


def container_ports(dep):
    ports = {}
    for c in get(dep, "spec.template.spec.containers", []) or []:
        for p in c.get("ports", []) or []:
            ports[p.get("containerPort")] = p
            if p.get("name"):
                ports[p["name"]] = p
    return ports


for name, dep in deployments.items():
    problems = []
    labels = get(dep, "spec.template.metadata.labels", {}) or {}
    if not subset(get(dep, "spec.selector.matchLabels", {}) or {}, labels):
        problems.append("spec.selector.matchLabels is empty or not in the pod template's labels")
    pod = get(dep, "spec.template.spec", {}) or {}
    containers = pod.get("containers") or []
    if not containers:
        problems.append("no containers")
    ports = container_ports(dep)
    drain = 30
    for c in containers:
        cname = c.get("name", "?")
        for probe in ("readinessProbe", "livenessProbe"):
            port = get(c, f"{probe}.grpc.port")
            if port is None:
                problems.append(f"{cname}: {probe} is not a native grpc probe")
            elif port not in ports:
                problems.append(f"{cname}: {probe} port {port} is not a container port")
        for kind in ("requests", "limits"):
            for res in ("cpu", "memory"):
                if not get(c, f"resources.{kind}.{res}"):
                    problems.append(f"{cname}: no resources.{kind}.{res}")
        sc = c.get("securityContext") or {}
        if sc.get("readOnlyRootFilesystem") is not True:
            problems.append(f"{cname}: root filesystem not read-only")
        if sc.get("allowPrivilegeEscalation") is not False:
            problems.append(f"{cname}: privilege escalation allowed")
        if not (sc.get("runAsNonRoot") or get(pod, "securityContext.runAsNonRoot")):
            problems.append(f"{cname}: runAsNonRoot not set")
        for env in c.get("env") or []:
            if env.get("name") == "NEWSTAG_DRAIN_SECONDS":
                drain = int(env.get("value", drain))
    grace = pod.get("terminationGracePeriodSeconds", 30)
    if grace <= drain:
        problems.append(f"terminationGracePeriodSeconds {grace} is not above the drain time {drain}")
    check(f"Deployment/{name}: selector, grpc probes, resources, non-root read-only, grace {grace} s > drain {drain} s", problems)


def matching_deployments(selector):
    return [n for n, dep in deployments.items()
            if subset(selector, get(dep, "spec.template.metadata.labels", {}) or {})]


services = by_kind.get("Service", [])
for f, svc in services:
    name = get(svc, "metadata.name")
    selector = get(svc, "spec.selector", {}) or {}
    targets = matching_deployments(selector)
    problems = [] if targets else [f"selector {selector} matches no Deployment's pod labels"]
    for p in get(svc, "spec.ports", []) or []:
        target = p.get("targetPort", p.get("port"))
        for t in targets:
            if target not in container_ports(deployments[t]):
                problems.append(f"targetPort {target} is not a port of Deployment/{t}")
    check(f"Service/{name}: selects Deployment {targets}, ports exist", problems)
headless = [get(s, "metadata.name") for _, s in services if get(s, "spec.clusterIP") == "None"]
check(f"a headless Service (clusterIP: None) exists: {headless}", [] if headless else ["none"])

for f, hpa in by_kind.get("HorizontalPodAutoscaler", []):
    ref = get(hpa, "spec.scaleTargetRef", {}) or {}
    problems = []
    if hpa.get("apiVersion") != "autoscaling/v2":
        problems.append(f"apiVersion {hpa.get('apiVersion')}, expected autoscaling/v2")
    if ref.get("kind") != "Deployment" or ref.get("name") not in deployments:
        problems.append(f"scaleTargetRef {ref} is not one of the Deployments {sorted(deployments)}")
    cpu = [m for m in get(hpa, "spec.metrics", []) or [] if get(m, "resource.name") == "cpu"]
    if not cpu:
        problems.append("no CPU metric")
    lo, hi = get(hpa, "spec.minReplicas", 1), get(hpa, "spec.maxReplicas", 0)
    if not 1 <= lo <= hi:
        problems.append(f"replicas {lo}..{hi}")
    check(f"HorizontalPodAutoscaler/{get(hpa, 'metadata.name')}: targets Deployment/{ref.get('name')}", problems)

for f, pdb in by_kind.get("PodDisruptionBudget", []):
    selector = get(pdb, "spec.selector.matchLabels", {}) or {}
    targets = matching_deployments(selector)
    problems = [] if targets else [f"selector {selector} matches no Deployment's pod labels"]
    if pdb.get("apiVersion") != "policy/v1":
        problems.append(f"apiVersion {pdb.get('apiVersion')}, expected policy/v1")
    check(f"PodDisruptionBudget/{get(pdb, 'metadata.name')}: selects Deployment {targets}", problems)

print(f"validate-manifests: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY
