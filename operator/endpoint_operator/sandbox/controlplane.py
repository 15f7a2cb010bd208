"""The local control plane: etcd and kube-apiserver on loopback.

Real binaries, built from Go modules by `controlplane/build.sh`, so CRD
schemas, CEL rules, the status subresource, server-side apply and RBAC behave
exactly as in a cluster. There is no controller-manager, scheduler or kubelet:
nothing runs pods and deleted namespaces stay `Terminating`.

    with ControlPlane() as cp:
        cp.kubectl("apply", "-f", "crds/")
"""

from __future__ import annotations

import atexit
import base64
import contextlib
import os
import secrets
import shutil
import ssl
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import yaml

from endpoint_operator.sandbox import processes
from endpoint_operator.sandbox.certs import write_pki
from endpoint_operator.sandbox.ports import LOOPBACK, free_loopback_ports

BIN_DIR_ENV = "ENDPOINT_OPERATOR_CONTROLPLANE_BIN"
KUBECTL_ENV = "ENDPOINT_OPERATOR_KUBECTL"
BINARIES = ("kube-apiserver", "etcd")
ADMIN_USER = "sandbox-admin"
CLUSTER_NAME = "endpoint-operator-sandbox"
WORKDIR_PREFIX = "endpoint-operator-controlplane-"

# Admission plugins that act on pods, nodes, storage, certificates, quotas and
# webhooks: nothing here schedules pods or serves webhooks, and each plugin
# starts informers that delay readiness. NamespaceLifecycle stays on.
_DISABLED_ADMISSION_PLUGINS = (
    "LimitRanger", "ServiceAccount", "TaintNodesByCondition", "PodSecurity", "Priority",
    "DefaultTolerationSeconds", "DefaultStorageClass", "StorageObjectInUseProtection",
    "PodGroupProtection", "PersistentVolumeClaimResize", "RuntimeClass",
    "CertificateApproval", "CertificateSigning", "ClusterTrustBundleAttest",
    "CertificateSubjectRestriction", "DefaultIngressClass", "PodTopologyLabels",
    "PodGroupWorkloadExists", "NodeDeclaredFeatureValidator", "JobValidation",
    "PodResizeValidator", "MutatingAdmissionPolicy", "MutatingAdmissionWebhook",
    "ValidatingAdmissionPolicy", "ValidatingAdmissionWebhook", "ResourceQuota",
)
_PORT_TAKEN = "address already in use"
_START_ATTEMPTS = 3


class ControlPlaneError(RuntimeError):
    """The control plane could not be built, started or reached."""


class KubectlError(subprocess.CalledProcessError):
    """A kubectl call failed; the message carries kubectl's stderr."""

    def __str__(self) -> str:
        return f"{super().__str__()}\n{(self.stderr or '').strip()}"


def repo_root() -> Path:
    """The source checkout this package is installed (editable) from."""
    return Path(__file__).resolve().parents[3]


def ensure_binaries() -> Path:
    """The directory holding `kube-apiserver` and `etcd`.

    Taken from $ENDPOINT_OPERATOR_CONTROLPLANE_BIN when set, otherwise built
    (or reused from the cache) by `controlplane/build.sh`, which can take
    several minutes on a cold cache.
    """
    override = os.environ.get(BIN_DIR_ENV)
    if override:
        return _checked_bin_dir(Path(override), f"${BIN_DIR_ENV}")

    script = repo_root() / "controlplane" / "build.sh"
    if not script.is_file():
        raise ControlPlaneError(
            f"{script} not found: install the package editable from its source checkout "
            f"or set ${BIN_DIR_ENV} to a directory with {' and '.join(BINARIES)}"
        )
    result = subprocess.run(
        ["bash", str(script)], capture_output=True, text=True, stdin=subprocess.DEVNULL
    )
    if result.returncode != 0:
        tail = "\n".join((result.stderr + result.stdout).splitlines()[-40:])
        raise ControlPlaneError(f"{script} failed with exit code {result.returncode}:\n{tail}")
    lines = result.stdout.strip().splitlines()
    if not lines:
        raise ControlPlaneError(f"{script} printed no bin directory:\n{result.stderr[-4000:]}")
    return _checked_bin_dir(Path(lines[-1]), str(script))


def _checked_bin_dir(bin_dir: Path, source: str) -> Path:
    missing = [name for name in BINARIES if not os.access(bin_dir / name, os.X_OK)]
    if missing:
        raise ControlPlaneError(f"{source} names {bin_dir}, which lacks {', '.join(missing)}")
    return bin_dir


@dataclass(frozen=True)
class _Ports:
    apiserver: int
    etcd_client: int
    etcd_peer: int


class _PortTaken(Exception):
    """Another process bound a port between choosing it and using it."""


class ControlPlane:
    """etcd + kube-apiserver on loopback, with an admin token and a kubeconfig.

    `start()` returns once `/readyz` answers ok; `stop()` kills both servers
    and removes the working directory. Both are also run by the context
    manager; `stop()` is registered with atexit and safe to call twice.
    """

    def __init__(
        self,
        bin_dir: Path | None = None,
        *,
        startup_timeout: float = 90.0,
        stop_grace: float = 10.0,
    ) -> None:
        self._bin_dir = bin_dir
        self._startup_timeout = startup_timeout
        self._stop_grace = stop_grace
        self._processes: dict[str, subprocess.Popen[bytes]] = {}
        self._workdir: Path | None = None
        self._ports: _Ports | None = None
        self._apiserver_argv: list[str] = []
        self.token = secrets.token_urlsafe(32)
        self.startup_seconds: float | None = None

    # -- attributes available once started ------------------------------------

    @property
    def workdir(self) -> Path:
        if self._workdir is None:
            raise ControlPlaneError("the control plane is not started")
        return self._workdir

    @property
    def server(self) -> str:
        if self._ports is None:
            raise ControlPlaneError("the control plane is not started")
        return f"https://{LOOPBACK}:{self._ports.apiserver}"

    @property
    def etcd_url(self) -> str:
        if self._ports is None:
            raise ControlPlaneError("the control plane is not started")
        return f"http://{LOOPBACK}:{self._ports.etcd_client}"

    @property
    def kubeconfig(self) -> Path:
        return self.workdir / "kubeconfig"

    @property
    def ca_file(self) -> Path:
        return self.workdir / "pki" / "ca.crt"

    @property
    def pids(self) -> dict[str, int]:
        """Process ids of the servers, by binary name."""
        return {name: process.pid for name, process in self._processes.items()}

    # -- lifecycle ------------------------------------------------------------

    def __enter__(self) -> ControlPlane:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> ControlPlane:
        if self._processes:
            raise ControlPlaneError("the control plane is already started")
        bin_dir = self._bin_dir or ensure_binaries()
        remove_stale_workdirs()
        atexit.register(self.stop)
        began = time.monotonic()
        try:
            for attempt in range(1, _START_ATTEMPTS + 1):
                try:
                    self._start_once(bin_dir)
                    break
                except _PortTaken:
                    self._teardown()
                    if attempt == _START_ATTEMPTS:
                        raise ControlPlaneError(
                            f"ports kept being taken by other processes ({attempt} attempts)"
                        ) from None
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - began
        return self

    def stop(self) -> None:
        """Stop kube-apiserver, then etcd, and remove the working directory."""
        atexit.unregister(self.stop)
        self._teardown()

    def _teardown(self) -> None:
        for name in ("kube-apiserver", "etcd"):
            process = self._processes.pop(name, None)
            if process is not None:
                processes.terminate(process, self._stop_grace)
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None
        self._ports = None

    def _start_once(self, bin_dir: Path) -> None:
        self._workdir = Path(tempfile.mkdtemp(prefix=f"{WORKDIR_PREFIX}{os.getpid()}-"))
        apiserver, etcd_client, etcd_peer = free_loopback_ports(3)
        self._ports = _Ports(apiserver, etcd_client, etcd_peer)
        pki = write_pki(self.workdir / "pki")
        token_file = self.workdir / "tokens.csv"
        token_file.touch(mode=0o600)
        token_file.write_text(f'{self.token},{ADMIN_USER},{ADMIN_USER},"system:masters"\n')
        self.write_kubeconfig(self.kubeconfig)

        # Started together: kube-apiserver retries etcd until it answers.
        self._spawn("etcd", self._etcd_argv(bin_dir))
        self._apiserver_argv = [
            str(bin_dir / "kube-apiserver"),
            f"--etcd-servers={self.etcd_url}",
            f"--bind-address={LOOPBACK}",
            f"--advertise-address={LOOPBACK}",
            f"--secure-port={apiserver}",
            f"--tls-cert-file={pki.serving_cert}",
            f"--tls-private-key-file={pki.serving_key}",
            f"--token-auth-file={token_file}",
            "--authorization-mode=RBAC",
            "--service-account-issuer=https://kubernetes.default.svc",
            f"--service-account-key-file={pki.service_account_public_key}",
            f"--service-account-signing-key-file={pki.service_account_key}",
            "--service-cluster-ip-range=10.96.0.0/16",
            f"--disable-admission-plugins={','.join(_DISABLED_ADMISSION_PLUGINS)}",
            # No kubelets and a single apiserver: nothing to reconcile endpoints for.
            "--endpoint-reconciler-type=none",
            "--profiling=false",
        ]
        self._spawn("kube-apiserver", self._apiserver_argv)
        self._wait_ready()

    def stop_apiserver(self) -> None:
        """Stop kube-apiserver alone; etcd and its data stay (a restart or a rollout of
        the API server, as clients see it)."""
        process = self._processes.pop("kube-apiserver", None)
        if process is None:
            raise ControlPlaneError("kube-apiserver is not running")
        processes.terminate(process, self._stop_grace)

    def start_apiserver(self) -> None:
        """Start kube-apiserver again on the same port with the same flags; returns once ready."""
        if "kube-apiserver" in self._processes:
            raise ControlPlaneError("kube-apiserver is already running")
        self._spawn("kube-apiserver", self._apiserver_argv)
        self._wait_ready()

    def _etcd_argv(self, bin_dir: Path) -> list[str]:
        assert self._ports is not None
        peer = f"http://{LOOPBACK}:{self._ports.etcd_peer}"
        return [
            str(bin_dir / "etcd"),
            "--name=sandbox",
            f"--data-dir={self.workdir / 'etcd'}",
            f"--listen-client-urls={self.etcd_url}",
            f"--advertise-client-urls={self.etcd_url}",
            f"--listen-peer-urls={peer}",
            f"--initial-advertise-peer-urls={peer}",
            f"--initial-cluster=sandbox={peer}",
            # Throwaway data: durability buys nothing and fsync costs seconds.
            "--unsafe-no-fsync",
            "--log-level=warn",
        ]

    def _spawn(self, name: str, argv: list[str]) -> None:
        # ETCD_* variables from the caller's shell would override our flags.
        env = {key: value for key, value in os.environ.items() if not key.startswith("ETCD_")}
        self._processes[name] = processes.spawn(argv, self._log_path(name), env)

    def _log_path(self, name: str) -> Path:
        return self.workdir / f"{name}.log"

    def _wait_ready(self) -> None:
        context = ssl.create_default_context(cafile=str(self.ca_file))
        request = urllib.request.Request(
            f"{self.server}/readyz", headers={"Authorization": f"Bearer {self.token}"}
        )
        deadline = time.monotonic() + self._startup_timeout
        last_answer = "no answer yet"
        while True:
            self._check_alive()
            try:
                with urllib.request.urlopen(request, context=context, timeout=2) as response:
                    if response.status == 200:
                        return
                    last_answer = f"HTTP {response.status}"
            except urllib.error.HTTPError as error:
                last_answer = f"HTTP {error.code}: {error.read().decode(errors='replace')[-2000:]}"
            except (OSError, ssl.SSLError) as error:
                last_answer = str(error)
            if time.monotonic() > deadline:
                raise ControlPlaneError(
                    f"kube-apiserver at {self.server} not ready after {self._startup_timeout:.0f}s "
                    f"(last /readyz: {last_answer})\n{self._log_tails()}"
                )
            time.sleep(0.1)

    def _check_alive(self) -> None:
        for name, process in self._processes.items():
            if process.poll() is not None:
                log = processes.log_tail(self._log_path(name))
                if _PORT_TAKEN in log:
                    raise _PortTaken(name)
                raise ControlPlaneError(
                    f"{name} exited with code {process.returncode} during start-up\n"
                    f"{self._log_tails()}"
                )

    def _log_tails(self) -> str:
        return "\n".join(
            f"--- {name}.log (tail) ---\n{processes.log_tail(self._log_path(name))}"
            for name in BINARIES
        )

    # -- clients --------------------------------------------------------------

    def write_kubeconfig(self, path: Path) -> Path:
        """Write a kubeconfig for this control plane (admin token, CA data) to `path`."""
        config = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{
                "name": CLUSTER_NAME,
                "cluster": {
                    "server": self.server,
                    "certificate-authority-data": base64.b64encode(
                        self.ca_file.read_bytes()
                    ).decode(),
                },
            }],
            "users": [{"name": ADMIN_USER, "user": {"token": self.token}}],
            "contexts": [{
                "name": CLUSTER_NAME,
                "context": {"cluster": CLUSTER_NAME, "user": ADMIN_USER, "namespace": "default"},
            }],
            "current-context": CLUSTER_NAME,
        }
        path.touch(mode=0o600)
        path.write_text(yaml.safe_dump(config, sort_keys=False))
        return path

    def kubectl(
        self, *args: str, input: str | None = None, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        """Run the machine's kubectl (or $ENDPOINT_OPERATOR_KUBECTL) against this
        control plane. With `check`, a non-zero exit raises `KubectlError`."""
        argv = [_kubectl_binary(), f"--kubeconfig={self.kubeconfig}", *args]
        result = subprocess.run(argv, input=input, capture_output=True, text=True)
        if check and result.returncode != 0:
            raise KubectlError(result.returncode, argv, result.stdout, result.stderr)
        return result

    def wait_for_crd(self, name: str, timeout: float = 60.0) -> None:
        """Until the CRD is Established. `kubectl wait --for=condition=Established` fails
        outright ("accessor error: <nil>") when asked before the API server has written
        the CRD's first status, so the condition is polled instead."""
        deadline = time.monotonic() + timeout
        query = '{.status.conditions[?(@.type=="Established")].status}'
        while True:
            result = self.kubectl("get", f"crd/{name}", "-o", f"jsonpath={query}", check=False)
            if result.returncode == 0 and result.stdout.strip() == "True":
                return
            if time.monotonic() > deadline:
                raise ControlPlaneError(f"CRD {name} not Established after {timeout:g}s: {result.stderr.strip()}")
            time.sleep(0.2)  # the API server establishes a CRD within a second or two


def _kubectl_binary() -> str:
    configured = os.environ.get(KUBECTL_ENV)
    found = configured or shutil.which("kubectl")
    if not found:
        raise ControlPlaneError(f"kubectl not found on PATH (or set ${KUBECTL_ENV})")
    return found


def remove_stale_workdirs() -> None:
    """Remove working directories left by processes that were killed outright
    (their servers died with them; the directory did not)."""
    for path in Path(tempfile.gettempdir()).glob(f"{WORKDIR_PREFIX}*"):
        owner_pid = path.name.removeprefix(WORKDIR_PREFIX).split("-", 1)[0]
        with contextlib.suppress(OSError, ValueError):
            if path.stat().st_uid == os.getuid() and not _process_exists(int(owner_pid)):
                shutil.rmtree(path, ignore_errors=True)


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
