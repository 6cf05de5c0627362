"""The deployment files agree with the code: no Docker engine or cluster here, so they are parsed and linted.

Compose, the Kubernetes manifests and the Dockerfile run the commands the CLI has, the way the README says
(web replicas without background work, workers, a migration before both), and the settings table in
deploy/README.md names every field of ``core.config.Settings``, so a new setting without docs fails here.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from core.config import Settings

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
KUBERNETES = DEPLOY / "kubernetes"
PORT = 3978
# Read straight from the environment by the command line and the demo, not fields of Settings.
EXTRA_VARIABLES = {"CLAUSEWATCH_DEBUG", "CLAUSEWATCH_CORPUS"}
EXPECTED_KINDS = {
    "namespace.yaml": "Namespace",
    "configmap.yaml": "ConfigMap",
    "secret.example.yaml": "Secret",
    "migrate-job.yaml": "Job",
    "web-deployment.yaml": "Deployment",
    "web-pdb.yaml": "PodDisruptionBudget",
    "service.yaml": "Service",
    "worker-deployment.yaml": "Deployment",
}


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


def load_manifests() -> dict[str, list[dict[str, Any]]]:
    return {
        path.name: [doc for doc in yaml.safe_load_all(path.read_text()) if doc is not None]
        for path in sorted(KUBERNETES.glob("*.yaml"))
    }


@pytest.fixture(scope="module")
def manifests() -> dict[str, list[dict[str, Any]]]:
    return load_manifests()


def only(manifests: dict[str, list[dict[str, Any]]], name: str) -> dict[str, Any]:
    (document,) = manifests[name]
    return document


def pod_spec(manifest: dict[str, Any]) -> dict[str, Any]:
    return manifest["spec"]["template"]["spec"]


def test_every_manifest_parses_with_the_expected_kind(manifests: dict[str, list[dict[str, Any]]]) -> None:
    assert set(manifests) == {*EXPECTED_KINDS, "kustomization.yaml"}
    for name, kind in EXPECTED_KINDS.items():
        assert [doc["kind"] for doc in manifests[name]] == [kind], name
    assert only(manifests, "kustomization.yaml")["kind"] == "Kustomization"


def test_kustomization_lists_every_other_manifest(manifests: dict[str, list[dict[str, Any]]]) -> None:
    resources = only(manifests, "kustomization.yaml")["resources"]
    assert len(resources) == len(set(resources))
    assert set(resources) == set(manifests) - {"kustomization.yaml"}


def workloads(manifests: dict[str, list[dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    return {
        name: only(manifests, name)
        for name in ("migrate-job.yaml", "web-deployment.yaml", "worker-deployment.yaml")
    }


def test_workload_commands(manifests: dict[str, list[dict[str, Any]]]) -> None:
    commands = {
        name: pod_spec(manifest)["containers"][0]["command"]
        for name, manifest in workloads(manifests).items()
    }
    assert commands["migrate-job.yaml"] == ["clausewatch", "db", "upgrade"]
    assert commands["web-deployment.yaml"][:2] == ["clausewatch", "serve"]
    assert {"--no-scheduler", "--no-delivery"} <= set(commands["web-deployment.yaml"][2:])
    assert commands["worker-deployment.yaml"] == ["clausewatch", "worker", "--metrics-port", "9100"]
    assert only(manifests, "web-deployment.yaml")["spec"]["replicas"] >= 2
    assert only(manifests, "worker-deployment.yaml")["spec"]["replicas"] >= 1


def test_web_probes(manifests: dict[str, list[dict[str, Any]]]) -> None:
    (container,) = pod_spec(only(manifests, "web-deployment.yaml"))["containers"]
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": PORT}
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": PORT}
    assert [port["containerPort"] for port in container["ports"]] == [PORT]
    assert container["resources"]["requests"] and container["resources"]["limits"]


def test_worker_serves_only_its_metrics_port(manifests: dict[str, list[dict[str, Any]]]) -> None:
    (container,) = pod_spec(only(manifests, "worker-deployment.yaml"))["containers"]
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": 9100}
    assert [port["containerPort"] for port in container["ports"]] == [9100]
    assert "readinessProbe" not in container  # no Service sends it traffic


def test_pods_run_as_non_root_on_a_read_only_root(manifests: dict[str, list[dict[str, Any]]]) -> None:
    for name, manifest in workloads(manifests).items():
        spec = pod_spec(manifest)
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        assert spec["securityContext"]["runAsUser"] != 0, name
        volumes = {volume["name"]: volume for volume in spec["volumes"]}
        for container in spec["containers"]:
            security = container["securityContext"]
            assert security["readOnlyRootFilesystem"] is True, name
            assert security["allowPrivilegeEscalation"] is False, name
            mounts = {mount["mountPath"]: mount["name"] for mount in container["volumeMounts"]}
            assert "emptyDir" in volumes[mounts["/tmp"]], name


def test_workloads_read_the_secret_and_the_config(manifests: dict[str, list[dict[str, Any]]]) -> None:
    secret, config = only(manifests, "secret.example.yaml"), only(manifests, "configmap.yaml")
    for name, manifest in workloads(manifests).items():
        for container in pod_spec(manifest)["containers"]:
            refs = {
                next(iter(source)): next(iter(source.values()))["name"] for source in container["envFrom"]
            }
            assert refs == {
                "secretRef": secret["metadata"]["name"],
                "configMapRef": config["metadata"]["name"],
            }
            assert container["image"] == "clausewatch", name  # kustomization's `images` sets the registry
    images = only(manifests, "kustomization.yaml")["images"]
    assert [image["name"] for image in images] == ["clausewatch"]
    # Every key is a real setting: a typo would otherwise be ignored silently.
    assert set(secret["stringData"]) <= setting_names()
    assert set(config["data"]) <= setting_names()
    assert "CLAUSEWATCH_DATABASE_URL" in secret["stringData"]
    assert "CLAUSEWATCH_LINK_SECRET" in secret["stringData"]


def test_selectors_match_their_pods(manifests: dict[str, list[dict[str, Any]]]) -> None:
    web = only(manifests, "web-deployment.yaml")
    web_labels = web["spec"]["template"]["metadata"]["labels"]
    for name in ("web-deployment.yaml", "worker-deployment.yaml"):
        deployment = only(manifests, name)
        selector = deployment["spec"]["selector"]["matchLabels"]
        assert selector.items() <= deployment["spec"]["template"]["metadata"]["labels"].items(), name
    service = only(manifests, "service.yaml")
    assert service["spec"]["type"] == "ClusterIP"
    assert service["spec"]["selector"].items() <= web_labels.items()
    assert [(port["port"], port["targetPort"]) for port in service["spec"]["ports"]] == [(80, PORT)]
    worker_labels = only(manifests, "worker-deployment.yaml")["spec"]["template"]["metadata"]["labels"]
    assert not service["spec"]["selector"].items() <= worker_labels.items()
    pdb_selector = only(manifests, "web-pdb.yaml")["spec"]["selector"]["matchLabels"]
    assert pdb_selector.items() <= web_labels.items()
    migrate = only(manifests, "migrate-job.yaml")  # the README applies it alone with this label
    assert migrate["metadata"]["labels"]["app.kubernetes.io/component"] == "migrate"


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
