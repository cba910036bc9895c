"""docker-compose.yml and the Caddyfile agree: Caddy is the only door, with TLS, and the
app believes forwarded headers from Caddy alone.

No container engine runs in CI; these checks read the files as Docker Compose and Caddy
would (YAML with merge keys; Caddyfile environment placeholders ``{$NAME:default}``).
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from inspect_app.proxies import client_address
from inspect_app.settings import parse_trusted_proxies

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def caddyfile() -> str:
    return (ROOT / "deploy" / "Caddyfile").read_text(encoding="utf-8")


def _without_comments(text: str) -> str:
    return "\n".join(line.split("#", 1)[0].rstrip() for line in text.splitlines())


def test_only_caddy_publishes_ports(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) == {"caddy", "postgres", "redis", "web", "worker"}
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"caddy"}
    assert any(port.endswith(":443") for port in services["caddy"]["ports"])


def test_the_app_trusts_exactly_caddys_fixed_address(compose: dict[str, Any]) -> None:
    services = compose["services"]
    caddy_ip = services["caddy"]["networks"]["edge"]["ipv4_address"]
    subnet = compose["networks"]["edge"]["ipam"]["config"][0]["subnet"]
    assert ipaddress.ip_address(caddy_ip) in ipaddress.ip_network(subnet)
    for name in ("web", "worker"):
        trusted = parse_trusted_proxies(services[name]["environment"]["TRUSTED_PROXIES"])
        assert [str(network) for network in trusted] == [f"{caddy_ip}/32"]
        # What Caddy forwards is believed; the same header from elsewhere is not.
        assert client_address(caddy_ip, ["203.0.113.7"], trusted) == "203.0.113.7"
        assert client_address("172.30.80.99", ["203.0.113.7"], trusted) == "172.30.80.99"


def test_only_caddy_and_the_web_app_share_the_edge_network(compose: dict[str, Any]) -> None:
    services = compose["services"]

    def networks(name: str) -> set[str]:
        value = services[name].get("networks", [])
        return set(value if isinstance(value, list) else value.keys())

    on_edge = {name for name in services if "edge" in networks(name)}
    assert on_edge == {"caddy", "web"}
    assert {"postgres", "redis", "worker", "web"} <= {
        name for name in services if "backend" in networks(name)
    }


def test_caddy_mounts_the_caddyfile_and_proxies_to_the_web_port(
    compose: dict[str, Any], caddyfile: str
) -> None:
    caddy = compose["services"]["caddy"]
    mounts = {volume.split(":")[1]: volume.split(":")[0] for volume in caddy["volumes"]}
    assert (ROOT / mounts["/etc/caddy/Caddyfile"]).resolve() == ROOT / "deploy" / "Caddyfile"
    assert {"/data", "/config"} <= set(mounts)

    web_command = compose["services"]["web"]["command"]
    port = web_command[web_command.index("--port") + 1]
    directives = _without_comments(caddyfile)
    assert re.search(rf"^\s*reverse_proxy web:{port}\b", directives, re.MULTILINE)


def test_the_caddyfile_terminates_tls_and_drops_client_forwarding_headers(
    compose: dict[str, Any], caddyfile: str
) -> None:
    directives = _without_comments(caddyfile)
    assert directives.count("{") == directives.count("}")
    assert re.search(r"^\s*tls \{\$TLS_MODE:internal\}$", directives, re.MULTILINE)
    assert re.search(r"^\{\$SITE_ADDRESS:localhost\} \{$", directives, re.MULTILINE)
    assert "header_up -Forwarded" in directives
    assert "header_up -X-Real-IP" in directives
    # Every {$NAME} the Caddyfile reads is passed to the container.
    names = set(re.findall(r"\{\$([A-Z_]+)", directives))
    assert names <= set(compose["services"]["caddy"]["environment"])


def test_the_wheel_check_builds_from_exactly_what_the_image_copies() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    builder = dockerfile.split(
        "# --------------------------------------------------------------------------- runtime"
    )[0]
    copied: set[str] = set()
    for line in builder.splitlines():
        if line.startswith("COPY ") and "--from" not in line:
            *sources, _target = line.split()[1:]
            copied.update(sources)
    check = (ROOT / "deploy" / "wheel-check.sh").read_text(encoding="utf-8")
    listed = re.search(r'^SOURCES="([^"]+)"$', check, re.MULTILINE)
    assert listed is not None
    assert set(listed.group(1).split()) == copied
    # Both install through the one script.
    assert "RUN bash deploy/install-wheel.sh /opt/venv /src python" in builder
    assert 'bash "$scratch/src/deploy/install-wheel.sh"' in check
    assert "step wheel-check" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    for item in copied:
        assert (ROOT / item).exists(), item
