"""Checks the security properties of the deploy examples in image/examples.

Usage: check_examples.py COMPOSE_FILE KUBERNETES_FILE
Parses both with PyYAML (Debian's python3-yaml) and asserts what the image's deployment contract
says: no privileged mode; every capability dropped but NET_ADMIN; /dev/net/tun as a device; the
host's network; a read-only root file system; no privilege escalation; MODE set to client or server;
IFACE_NAME the same name as phantun's --tun argument. Prints one line per check; exits 1 on the
first failing file, listing every problem found in it.
"""

import sys

import yaml

IMAGE_REPOSITORY = "phantun-runtime"


class Problems:
    def __init__(self, where):
        self.where = where
        self.items = []

    def check(self, condition, message):
        if not condition:
            self.items.append(message)

    def report(self):
        if self.items:
            for item in self.items:
                print("FAIL %s: %s" % (self.where, item))
            return False
        print("ok   %s" % self.where)
        return True


def image_repository(image):
    name = image.rsplit("/", 1)[-1]
    return name.split("@", 1)[0].split(":", 1)[0]


def arg_after(args, flag):
    for i, arg in enumerate(args[:-1]):
        if arg == flag:
            return args[i + 1]
    return None


def check_compose(path):
    with open(path) as f:
        doc = yaml.safe_load(f)
    services = doc.get("services") or {}
    ok = bool(services)
    if not ok:
        print("FAIL %s: no services" % path)
    modes = set()
    for name, svc in services.items():
        p = Problems("%s: service %s" % (path, name))
        p.check(image_repository(svc.get("image", "")) == IMAGE_REPOSITORY,
                "image %r is not the phantun-runtime image" % svc.get("image"))
        p.check(svc.get("privileged") in (None, False), "privileged is set")
        p.check(svc.get("network_mode") == "host", "network_mode is %r, want host" % svc.get("network_mode"))
        p.check(svc.get("read_only") is True, "read_only is not true")
        p.check(svc.get("cap_drop") == ["ALL"], "cap_drop is %r, want [ALL]" % svc.get("cap_drop"))
        p.check(svc.get("cap_add") == ["NET_ADMIN"], "cap_add is %r, want [NET_ADMIN]" % svc.get("cap_add"))
        devices = [d if isinstance(d, str) else d.get("source", "") for d in svc.get("devices") or []]
        p.check(any(d.split(":")[0] == "/dev/net/tun" for d in devices), "no /dev/net/tun device")
        secopts = svc.get("security_opt") or []
        p.check(any(o in ("no-new-privileges", "no-new-privileges:true") for o in secopts),
                "security_opt lacks no-new-privileges")
        for key in ("pid", "ipc", "userns_mode", "cgroup_parent"):
            p.check(svc.get(key) != "host", "%s is host" % key)
        p.check(not svc.get("volumes_from"), "volumes_from is set")
        env = svc.get("environment") or {}
        if isinstance(env, list):
            env = dict(e.split("=", 1) for e in env)
        p.check(env.get("MODE") in ("client", "server"), "MODE is %r" % env.get("MODE"))
        modes.add(env.get("MODE"))
        command = svc.get("command")
        p.check(isinstance(command, list), "command is not a list (exec form)")
        if isinstance(command, list) and "IFACE_NAME" in env:
            p.check(arg_after(command, "--tun") == env["IFACE_NAME"],
                    "IFACE_NAME %r is not the --tun name %r" % (env["IFACE_NAME"], arg_after(command, "--tun")))
        for vol in svc.get("volumes") or []:
            if isinstance(vol, dict) and vol.get("type") == "bind":
                p.check(vol.get("target") == env.get("IFACE_FILE"), "bind mount %r is not IFACE_FILE" % vol.get("target"))
                p.check((vol.get("bind") or {}).get("create_host_path") is False,
                        "bind mount of %r would create a missing host file as a folder" % vol.get("source"))
        ok = p.report() and ok
    if modes != {"client", "server"}:
        print("FAIL %s: services cover MODE %s, want client and server" % (path, sorted(map(str, modes))))
        ok = False
    return ok


def env_value(container, name):
    for e in container.get("env") or []:
        if e.get("name") == name:
            return e.get("value")
    return None


def check_kubernetes(path):
    with open(path) as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    workloads = [d for d in docs if d.get("kind") in ("Deployment", "DaemonSet", "StatefulSet", "Pod")]
    ok = bool(workloads)
    if not ok:
        print("FAIL %s: no workload" % path)
    modes = set()
    for w in workloads:
        spec = w["spec"] if w["kind"] == "Pod" else w["spec"]["template"]["spec"]
        p = Problems("%s: %s %s" % (path, w["kind"], w["metadata"]["name"]))
        p.check(spec.get("hostNetwork") is True, "hostNetwork is not true")
        p.check(not spec.get("hostPID") and not spec.get("hostIPC"), "hostPID or hostIPC is set")
        volumes = {v["name"]: v for v in spec.get("volumes") or []}
        for c in spec.get("containers") or []:
            where = "container %s: " % c["name"]
            p.check(image_repository(c.get("image", "")) == IMAGE_REPOSITORY, where + "not the phantun-runtime image")
            sc = c.get("securityContext") or {}
            caps = sc.get("capabilities") or {}
            p.check(sc.get("privileged") in (None, False), where + "privileged")
            p.check(sc.get("allowPrivilegeEscalation") is False, where + "allowPrivilegeEscalation is not false")
            p.check(sc.get("readOnlyRootFilesystem") is True, where + "readOnlyRootFilesystem is not true")
            p.check(caps.get("drop") == ["ALL"], where + "capabilities.drop is %r" % caps.get("drop"))
            p.check(caps.get("add") == ["NET_ADMIN"], where + "capabilities.add is %r" % caps.get("add"))
            tun = [m for m in c.get("volumeMounts") or [] if m.get("mountPath") == "/dev/net/tun"]
            p.check(len(tun) == 1, where + "/dev/net/tun is not mounted")
            if tun:
                hp = (volumes.get(tun[0]["name"]) or {}).get("hostPath") or {}
                p.check(hp.get("path") == "/dev/net/tun" and hp.get("type") == "CharDevice",
                        where + "/dev/net/tun is not a hostPath of type CharDevice")
            for m in c.get("volumeMounts") or []:
                hp = (volumes.get(m["name"]) or {}).get("hostPath")
                if hp is not None:  # only the TUN device and single files (IFACE_FILE) from the node
                    p.check(hp.get("type") in ("File", "FileOrCreate") or hp.get("path") == "/dev/net/tun",
                            where + "hostPath %r of type %r" % (hp.get("path"), hp.get("type")))
                    p.check(hp.get("path") == "/dev/net/tun" or m.get("mountPath") == env_value(c, "IFACE_FILE"),
                            where + "hostPath %r is not mounted at IFACE_FILE" % hp.get("path"))
            env = {e["name"]: e.get("value") for e in c.get("env") or []}
            p.check(env.get("MODE") in ("client", "server"), where + "MODE is %r" % env.get("MODE"))
            modes.add(env.get("MODE"))
            args = c.get("args") or []
            p.check(not c.get("command"), where + "command replaces the phantun-run entrypoint")
            if "IFACE_NAME" in env:
                p.check(arg_after(args, "--tun") == env["IFACE_NAME"], where + "IFACE_NAME is not the --tun name")
        ok = p.report() and ok
    if modes != {"client", "server"}:
        print("FAIL %s: workloads cover MODE %s, want client and server" % (path, sorted(map(str, modes))))
        ok = False
    return ok


def main(argv):
    if len(argv) != 3:
        print(__doc__)
        return 2
    ok = check_compose(argv[1])
    ok = check_kubernetes(argv[2]) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
