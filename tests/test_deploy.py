"""docker-compose.yml is the README's production: checked against the Makefile, the settings, the
gunicorn configuration and the proxy's Caddyfile (the file is never run here: no Docker engine)."""

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.urls import resolve

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES = COMPOSE["services"]
CADDYFILE = (ROOT / "deploy" / "Caddyfile").read_text(encoding="utf-8")
MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")


def _command(service: str) -> str:
    command = SERVICES[service]["command"]
    return command if isinstance(command, str) else shlex.join(command)


def test_web_migrates_publishes_the_guide_and_runs_gunicorn_with_its_configuration():
    command = " ".join(_command("web").split())
    steps = [step.strip() for step in re.sub(r'^sh -c "|"$', "", command).split("&&")]
    assert steps[:2] == ["python manage.py migrate --noinput", "python manage.py collectstatic --noinput"]
    ingest = shlex.split(steps[2])
    assert ingest[:3] == ["python", "manage.py", "ingest_guide"] and "--publish" in ingest
    assert (ROOT / ingest[3]).is_file()  # the guide the image carries
    assert steps[3] == "exec gunicorn -c config/gunicorn.py config.wsgi:application"


def test_only_the_proxy_publishes_ports_and_it_reaches_web_where_gunicorn_listens():
    published = {name for name, service in SERVICES.items() if service.get("ports")}
    assert published == {"proxy"}
    assert SERVICES["proxy"]["image"].split(":")[0] == "caddy"  # the official image
    assert sorted(SERVICES["proxy"]["ports"]) == ["443:443", "80:80"]
    mounts = {m.split(":")[0]: m.split(":")[1] for m in SERVICES["proxy"]["volumes"]}
    assert mounts["./deploy/Caddyfile"] == "/etc/caddy/Caddyfile"
    env = SERVICES["web"]["environment"]
    host, port = env["GUNICORN_BIND"].split(":")
    assert (host, SERVICES["web"]["expose"]) == ("0.0.0.0", [port])
    assert re.search(rf"reverse_proxy web:{port}\b", CADDYFILE)


def test_the_proxy_caps_the_body_at_the_apps_own_limit_and_hides_the_server_banner():
    (cap,) = re.findall(r"max_size (\d+)", CADDYFILE)
    assert int(cap) == settings.MAX_REQUEST_BYTES
    assert "header_down -Server" in CADDYFILE and "header -Server" in CADDYFILE


def test_one_proxy_in_front_is_what_the_lockout_and_the_throttles_are_told():
    env = SERVICES["web"]["environment"]
    assert env["TRUSTED_PROXY_COUNT"] == "1"
    assert env["DJANGO_SETTINGS_MODULE"] == "config.settings.production"


def test_every_variable_the_compose_file_sets_is_read_by_the_settings_or_gunicorn():
    sources = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "config").rglob("*.py"))
    names = {name for service in SERVICES.values() for name in (service.get("environment") or {})}
    app = {n for n in names if n not in ("POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD", "SITE_ADDRESS")}
    assert app and not {n for n in app if f'"{n}"' not in sources}
    assert "{$SITE_ADDRESS" in CADDYFILE  # the proxy's own


@pytest.mark.parametrize(
    ("service", "target"), [("worker", "worker"), ("worker-extraction", "worker-extraction")]
)
def test_workers_take_the_same_queues_under_the_same_names_as_the_makefile(service, target):
    (recipe,) = re.findall(rf"^{re.escape(target)}:.*\n\t(.+)$", MAKEFILE, flags=re.MULTILINE)

    def options(command: str) -> dict:
        words = shlex.split(command.replace("$(BIN)/", ""))
        return {w: words[i + 1] for i, w in enumerate(words) if w in ("-Q", "-n", "-A")}

    assert options(_command(service)) == options(recipe)


def test_the_health_checks_ask_paths_the_app_serves():
    test = SERVICES["web"]["healthcheck"]["test"]
    (path,) = re.findall(r"http://127\.0\.0\.1:\d+(/\w+)", test[-1])
    assert resolve(path).url_name
    assert "ALLOWED_HOSTS" in test[-1]  # a Host the app accepts, as the proxy sends


def test_the_readme_describes_this_layout():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "deploy/Caddyfile" in readme and "config/gunicorn.py" in readme
    assert "TRUSTED_PROXY_COUNT=1" in readme


@pytest.mark.skipif(
    not shutil.which("docker")
    or subprocess.run(["docker", "compose", "version"], capture_output=True).returncode != 0,
    reason="docker compose is not installed here",
)
def test_docker_compose_validates_the_file():
    result = subprocess.run(
        ["docker", "compose", "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
        capture_output=True,
        text=True,
        env={"SECRET_KEY": "x", "PATH": "/usr/bin:/bin:/usr/local/bin"},
    )
    assert result.returncode == 0, result.stderr
