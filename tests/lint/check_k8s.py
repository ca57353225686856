#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""Offline check of the Kubernetes manifests in deploy/k8s (make lint).

No cluster and no network: every document of every *.yaml is validated
with python3-jsonschema against a minimal schema written here for the
kinds the manifests use (Kustomization, ConfigMap, Secret, Service,
StatefulSet, NetworkPolicy).  The schemas keep to the fields these
manifests set and to the types and required fields of the Kubernetes API
(apps/v1, v1, networking.k8s.io/v1): an unknown field is an error, as
`kubectl apply --validate=strict` would make it.  They are not the
API's full OpenAPI schemas, which would need downloading.  Then the
manifests are checked together:

  * the kustomization lists every manifest but secret.example.yaml;
  * one StatefulSet per daemon (lz-NAME, serviceName lz-NAME, one
    replica), with its headless Service (publishNotReadyAddresses: its
    followers must reach it before it is ready) selecting its pods, and,
    but for the stateless bus, a volume claim mounted at /var/lib/livrazou;
  * each container runs the image with its daemon as argument, as a
    non-root user, its probes on /healthz and /readyz of its admin port,
    every port a Service targets named in the container;
  * the ConfigMap's livrazou.ini has a section per daemon whose admin and
    replay ports are the container's, whose pub and sub name the bus's
    Service, whose replay-advertise names the pod's own DNS name;
  * the gateway mounts the Secret livrazou-keys where its section reads
    server-key, partners and users, and secret.example.yaml has those keys.

    check_k8s.py [DIR]

Prints one line per problem and exits 1 when there is one, else
"k8s: N documents ok".  Needs python3-yaml and python3-jsonschema
(deploy/install-deps.sh).
"""
import configparser
import os
import sys

try:
    import jsonschema
    import yaml
except ImportError as e:
    sys.exit("check_k8s: %s (deploy/install-deps.sh installs python3-yaml "
             "and python3-jsonschema)" % e)

DAEMONS = ("bus", "gateway", "orders", "inventory", "tours", "bikes",
           "returns", "impact")


def obj(props, required=(), extra=False):
    return {"type": "object", "properties": props,
            "required": list(required), "additionalProperties": extra}


STR = {"type": "string"}
INT = {"type": "integer"}
BOOL = {"type": "boolean"}
PORT = {"type": "integer", "minimum": 1, "maximum": 65535}
NAME = {"type": "string", "pattern": r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
        "maxLength": 63}
STRMAP = {"type": "object", "additionalProperties": STR}
QTY = {"type": ["string", "integer"],
       "pattern": r"^[0-9]+(\.[0-9]+)?(m|Ki|Mi|Gi|Ti|k|M|G)?$"}


def arr(items, min_items=0):
    return {"type": "array", "items": items, "minItems": min_items}


META = obj({"name": NAME, "namespace": NAME, "labels": STRMAP,
            "annotations": STRMAP}, ["name"])
SELECTOR = obj({"matchLabels": STRMAP}, ["matchLabels"])
PROBE = obj({"httpGet": obj({"path": STR, "port": {"type": ["string",
                                                             "integer"]}},
                            ["path", "port"]),
             "periodSeconds": INT, "failureThreshold": INT,
             "initialDelaySeconds": INT, "timeoutSeconds": INT},
            ["httpGet"])
CONTAINER = obj({
    "name": NAME, "image": STR, "args": arr(STR), "command": arr(STR),
    "ports": arr(obj({"name": {"type": "string", "maxLength": 15},
                      "containerPort": PORT,
                      "protocol": {"enum": ["TCP", "UDP"]}},
                     ["containerPort"])),
    "env": arr(obj({"name": STR, "value": STR}, ["name"])),
    "readinessProbe": PROBE, "livenessProbe": PROBE, "startupProbe": PROBE,
    "resources": obj({"requests": obj({"cpu": QTY, "memory": QTY}),
                      "limits": obj({"cpu": QTY, "memory": QTY})}),
    "securityContext": obj({
        "allowPrivilegeEscalation": BOOL, "readOnlyRootFilesystem": BOOL,
        "runAsNonRoot": BOOL, "runAsUser": INT,
        "capabilities": obj({"drop": arr(STR), "add": arr(STR)})}),
    "volumeMounts": arr(obj({"name": NAME, "mountPath": STR,
                             "subPath": STR, "readOnly": BOOL},
                            ["name", "mountPath"])),
}, ["name", "image"])
VOLUME = {"type": "object", "required": ["name"],
          "properties": {
              "name": NAME,
              "configMap": obj({"name": NAME, "defaultMode": INT}, ["name"]),
              "secret": obj({"secretName": NAME, "defaultMode": INT},
                            ["secretName"]),
              "emptyDir": obj({"medium": STR, "sizeLimit": QTY}),
              "persistentVolumeClaim": obj({"claimName": NAME},
                                           ["claimName"])},
          "additionalProperties": False, "minProperties": 2,
          "maxProperties": 2}
POD_SPEC = obj({
    "securityContext": obj({
        "runAsNonRoot": BOOL, "runAsUser": INT, "runAsGroup": INT,
        "fsGroup": INT,
        "seccompProfile": obj({"type": {"enum": ["RuntimeDefault",
                                                  "Localhost",
                                                  "Unconfined"]}},
                              ["type"])}),
    "terminationGracePeriodSeconds": INT,
    "containers": arr(CONTAINER, 1),
    "volumes": arr(VOLUME),
}, ["containers"])
PVC = obj({"metadata": obj({"name": NAME, "labels": STRMAP}, ["name"]),
           "spec": obj({"accessModes": arr({"enum": ["ReadWriteOnce",
                                                      "ReadOnlyMany",
                                                      "ReadWriteMany",
                                                      "ReadWriteOncePod"]},
                                           1),
                        "storageClassName": STR,
                        "resources": obj({"requests": obj(
                            {"storage": QTY}, ["storage"])},
                            ["requests"])},
                       ["accessModes", "resources"])},
          ["metadata", "spec"])
SERVICE_PORT = obj({"name": NAME, "port": PORT,
                    "targetPort": {"type": ["string", "integer"]},
                    "protocol": {"enum": ["TCP", "UDP"]}}, ["port"])
NETPOL_PEER = obj({"podSelector": SELECTOR,
                   "namespaceSelector": SELECTOR})


def kind(api, k, spec=None, extra=None, required=("spec",)):
    props = {"apiVersion": {"const": api}, "kind": {"const": k},
             "metadata": META}
    if spec is not None:
        props["spec"] = spec
    props.update(extra or {})
    return obj(props, ("apiVersion", "kind", "metadata") + tuple(required))


SCHEMAS = {
    "ConfigMap": kind("v1", "ConfigMap", extra={"data": STRMAP},
                      required=("data",)),
    "Secret": kind("v1", "Secret", extra={
        "type": STR, "stringData": STRMAP, "data": STRMAP},
        required=()),
    "Service": kind("v1", "Service", obj({
        "type": {"enum": ["ClusterIP", "NodePort", "LoadBalancer"]},
        "clusterIP": STR, "publishNotReadyAddresses": BOOL,
        "selector": STRMAP, "ports": arr(SERVICE_PORT, 1)},
        ["selector", "ports"])),
    "StatefulSet": kind("apps/v1", "StatefulSet", obj({
        "serviceName": NAME, "replicas": {"type": "integer", "minimum": 0},
        "selector": SELECTOR,
        "template": obj({"metadata": obj({"labels": STRMAP,
                                          "annotations": STRMAP},
                                         ["labels"]),
                         "spec": POD_SPEC}, ["metadata", "spec"]),
        "volumeClaimTemplates": arr(PVC)},
        ["serviceName", "selector", "template"])),
    "NetworkPolicy": kind("networking.k8s.io/v1", "NetworkPolicy", obj({
        "podSelector": SELECTOR,
        "policyTypes": arr({"enum": ["Ingress", "Egress"]}),
        "ingress": arr(obj({"from": arr(NETPOL_PEER),
                            "ports": arr(obj({"port": PORT,
                                              "protocol": STR},
                                             ["port"]))}))},
        ["podSelector"])),
    "Kustomization": obj({
        "apiVersion": {"const": "kustomize.config.k8s.io/v1beta1"},
        "kind": {"const": "Kustomization"},
        "resources": arr(STR, 1),
        "namespace": NAME,
        "images": arr(obj({"name": STR, "newName": STR, "newTag": STR},
                          ["name"]))}, ["apiVersion", "kind", "resources"]),
}


def load(d):
    docs = []
    for f in sorted(os.listdir(d)):
        if f.endswith((".yaml", ".yml")):
            with open(os.path.join(d, f)) as fh:
                for i, doc in enumerate(yaml.safe_load_all(fh)):
                    if doc is not None:
                        docs.append((f, i, doc))
    return docs


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "deploy",
        "k8s")
    problems = []
    try:
        docs = load(d)
    except yaml.YAMLError as e:
        print("check_k8s: %s" % e)
        return 1
    for f, i, doc in docs:
        k = doc.get("kind") if isinstance(doc, dict) else None
        schema = SCHEMAS.get(k)
        if schema is None:
            problems.append("%s#%d: kind %r not known to the check"
                            % (f, i, k))
            continue
        for e in jsonschema.Draft7Validator(schema).iter_errors(doc):
            where = "/".join(str(p) for p in e.absolute_path)
            problems.append("%s#%d (%s) %s: %s" % (f, i, k, where,
                                                   e.message))
    if problems:  # the rest assumes well-formed documents
        for p in problems:
            print(p)
        return 1

    by_kind = {}
    for f, i, doc in docs:
        by_kind.setdefault(doc["kind"], {})[doc.get("metadata", {}).get(
            "name", "")] = (f, doc)
    kust = [doc for f, i, doc in docs if doc["kind"] == "Kustomization"]
    files = {f for f, i, doc in docs if doc["kind"] != "Kustomization"}
    if len(kust) != 1:
        problems.append("not one Kustomization")
    else:
        listed = set(kust[0]["resources"])
        for f in sorted(files - listed - {"secret.example.yaml"}):
            problems.append("kustomization.yaml does not list %s" % f)
        for f in sorted(listed - files):
            problems.append("kustomization.yaml lists %s: no such manifest"
                            % f)
        if "secret.example.yaml" in listed:
            problems.append("kustomization.yaml applies the example Secret")

    cms = by_kind.get("ConfigMap", {})
    ini = configparser.ConfigParser(interpolation=None,
                                    inline_comment_prefixes=None)
    try:
        ini.read_string(cms["livrazou-config"][1]["data"]["livrazou.ini"])
    except (KeyError, configparser.Error) as e:
        problems.append("ConfigMap livrazou-config: no livrazou.ini (%s)"
                        % e)
    services = by_kind.get("Service", {})
    sets = by_kind.get("StatefulSet", {})

    def port_of(addr):
        return int(addr.rsplit(":", 1)[1])

    for n in DAEMONS:
        name = "lz-" + n
        if name not in sets:
            problems.append("no StatefulSet %s" % name)
            continue
        f, ss = sets[name]
        spec = ss["spec"]
        pod = spec["template"]["spec"]
        labels = spec["template"]["metadata"]["labels"]
        sel = spec["selector"]["matchLabels"]
        if any(labels.get(k) != v for k, v in sel.items()):
            problems.append("%s: its selector does not match its pods" % f)
        if spec["serviceName"] != name or spec.get("replicas") != 1:
            problems.append("%s: serviceName %s and one replica wanted"
                            % (f, name))
        svc = services.get(name)
        if svc is None:
            problems.append("%s: no Service %s" % (f, name))
            continue
        s = svc[1]["spec"]
        if s.get("clusterIP") != "None" or not s.get(
                "publishNotReadyAddresses"):
            problems.append("%s: Service %s not headless with "
                            "publishNotReadyAddresses" % (f, name))
        for sname, (sf, sdoc) in services.items():
            ss_sel = sdoc["spec"]["selector"]
            if ss_sel.get("app.kubernetes.io/name") == name and any(
                    labels.get(k) != v for k, v in ss_sel.items()):
                problems.append("%s: Service %s selects no pod" % (sf,
                                                                   sname))
        if len(pod["containers"]) != 1:
            problems.append("%s: one container wanted" % f)
            continue
        c = pod["containers"][0]
        if c.get("args", [None])[0] != n or not c["image"].startswith(
                "livrazou"):
            problems.append("%s: the image livrazou with %s as argument "
                            "wanted" % (f, n))
        psc = pod.get("securityContext", {})
        if not psc.get("runAsNonRoot") or psc.get("runAsUser", 0) == 0:
            problems.append("%s: not run as a non-root user" % f)
        if c.get("securityContext", {}).get("allowPrivilegeEscalation",
                                            True):
            problems.append("%s: allowPrivilegeEscalation not false" % f)
        cports = {p.get("name"): p["containerPort"] for p in c["ports"]}
        for sname, (sf, sdoc) in services.items():
            if sdoc["spec"]["selector"].get(
                    "app.kubernetes.io/name") != name:
                continue
            for p in sdoc["spec"]["ports"]:
                if p.get("targetPort") not in cports:
                    problems.append("%s: Service %s targets port %s, not "
                                    "a port of the container"
                                    % (sf, sname, p.get("targetPort")))
        for probe, path in (("readinessProbe", "/readyz"),
                            ("livenessProbe", "/healthz")):
            h = c.get(probe, {}).get("httpGet", {})
            if h.get("path") != path or h.get("port") != "admin":
                problems.append("%s: %s wanted on %s of the admin port"
                                % (f, probe, path))
        mounts = {m["mountPath"]: m["name"] for m in c.get("volumeMounts",
                                                             [])}
        claims = {v["metadata"]["name"]
                  for v in spec.get("volumeClaimTemplates", [])}
        if n != "bus" and mounts.get("/var/lib/livrazou") not in claims:
            problems.append("%s: no volume claim at /var/lib/livrazou" % f)
        vols = {v["name"]: v for v in pod.get("volumes", [])}
        for m in c.get("volumeMounts", []):
            if m["name"] not in vols and m["name"] not in claims:
                problems.append("%s: mount %s: no such volume"
                                % (f, m["name"]))
        if mounts.get("/etc/livrazou/livrazou.ini") not in vols or \
                "configMap" not in vols[mounts["/etc/livrazou/livrazou.ini"]]:
            problems.append("%s: the ConfigMap not at "
                            "/etc/livrazou/livrazou.ini" % f)
        if not ini.has_section(n):
            problems.append("livrazou.ini: no section [%s]" % n)
            continue
        sec = ini[n]
        if port_of(sec.get("admin", ":0")) != cports.get("admin"):
            problems.append("livrazou.ini [%s] admin: not the container's "
                            "admin port %s" % (n, cports.get("admin")))
        if n == "bus":
            for k in ("xsub", "xpub"):
                if port_of(sec.get(k, ":0")) != cports.get(k):
                    problems.append("livrazou.ini [bus] %s: not the "
                                    "container's port" % k)
            continue
        if port_of(sec.get("replay", ":0")) != cports.get("replay"):
            problems.append("livrazou.ini [%s] replay: not the container's "
                            "replay port" % n)
        want = "tcp://%s-0.%s:%d" % (name, name, cports.get("replay", 0))
        if sec.get("replay-advertise") != want:
            problems.append("livrazou.ini [%s] replay-advertise: %s wanted"
                            % (n, want))
        bus = ini["bus"] if ini.has_section("bus") else {}
        for k, bk in (("pub", "xsub"), ("sub", "xpub")):
            want = "tcp://lz-bus:%d" % port_of(bus.get(bk, ":0"))
            if sec.get(k) != want:
                problems.append("livrazou.ini [%s] %s: %s wanted"
                                % (n, k, want))
        if n == "gateway":
            keys = {m["mountPath"]: vols.get(m["name"], {})
                    for m in c.get("volumeMounts", [])}
            secret = [p for p, v in keys.items()
                      if v.get("secret", {}).get("secretName") ==
                      "livrazou-keys"]
            ex = by_kind.get("Secret", {}).get("livrazou-keys")
            for k in ("server-key", "partners", "users"):
                path = sec.get(k, "")
                d_ = os.path.dirname(path)
                if d_ not in secret:
                    problems.append("livrazou.ini [gateway] %s: %s is not "
                                    "in the Secret livrazou-keys' mount"
                                    % (k, path))
                if ex is None or os.path.basename(path) not in ex[1].get(
                        "stringData", {}):
                    problems.append("secret.example.yaml: no %s"
                                    % os.path.basename(path))
            for k in ("orders-api", "inventory-api", "tours-api",
                      "bikes-api", "returns-api", "impact-api",
                      "bus-admin"):
                svc_n = "bus" if k == "bus-admin" else k[:-4]
                want = "lz-%s:%s" % (svc_n, ini[svc_n]["admin"].rsplit(
                    ":", 1)[1] if ini.has_section(svc_n) else "?")
                if sec.get(k) != want:
                    problems.append("livrazou.ini [gateway] %s: %s wanted"
                                    % (k, want))
    for p in problems:
        print(p)
    if problems:
        return 1
    print("k8s: %d documents ok" % len(docs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
