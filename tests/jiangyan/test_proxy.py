"""The reverse proxy of docker-compose (``deploy/nginx.conf``) in front of a real gunicorn, with the setting
compose gives the portal (``DJANGO_TRUSTED_PROXY_COUNT=1``): through nginx a client cannot choose the
address its sign-in failures are counted against; straight to gunicorn it can — which is why compose
publishes nginx's port only (docs/trust.md)."""

import shutil
import subprocess
import sys
import time

import pytest
import requests
from axes.models import AccessAttempt

from tests.worker import ROOT, free_port, worker_env

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not shutil.which("nginx"), reason="needs nginx (apt-get install nginx; CI has it)"),
]
FORGED = "203.0.113.9"


def wait_until_up(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        try:
            requests.get(url, timeout=30)  # the first request loads the URLconf: slow on a busy machine
            return
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer")


@pytest.fixture
def portal(tmp_path):
    """gunicorn on one free port and nginx with the repository's configuration on another."""
    app_port, proxy_port = free_port(), free_port()
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    conf = conf.replace("server web:8000;", f"server 127.0.0.1:{app_port};")
    conf = conf.replace("listen 80 default_server;", f"listen 127.0.0.1:{proxy_port} default_server;")
    assert str(app_port) in conf and str(proxy_port) in conf
    (tmp_path / "portal.conf").write_text(conf)
    temp = " ".join(f"{kind}_temp_path {tmp_path / kind};" for kind in ("client_body", "proxy"))
    (tmp_path / "nginx.conf").write_text(
        f"daemon off; pid {tmp_path / 'nginx.pid'}; error_log {tmp_path / 'error.log'};\n"
        f"events {{}}\nhttp {{ access_log off; {temp} include {tmp_path / 'portal.conf'}; }}\n"
    )
    gunicorn = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "jiangyan.wsgi:application", "--bind", f"127.0.0.1:{app_port}"],
        cwd=ROOT,
        env=worker_env(DJANGO_TRUSTED_PROXY_COUNT="1"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    nginx = subprocess.Popen(
        ["nginx", "-p", str(tmp_path), "-e", str(tmp_path / "error.log"), "-c", str(tmp_path / "nginx.conf")]
    )
    try:
        wait_until_up(f"http://127.0.0.1:{app_port}/favicon.ico", gunicorn)
        wait_until_up(f"http://127.0.0.1:{proxy_port}/favicon.ico", nginx)
        yield {"direct": f"http://127.0.0.1:{app_port}", "proxy": f"http://127.0.0.1:{proxy_port}"}
    finally:
        for process in (nginx, gunicorn):
            process.terminate()
            process.wait(timeout=30)


def failed_sign_in(base: str) -> str:
    """A wrong password on the token endpoint with a forged X-Forwarded-For; the address it was counted on."""
    AccessAttempt.objects.all().delete()
    response = requests.post(
        f"{base}/api/v1/auth/token/",
        json={"username": "nobody", "password": "wrong"},
        headers={"X-Forwarded-For": FORGED},
        timeout=30,
    )
    assert response.status_code in (400, 401, 403), response.text[:500]
    return AccessAttempt.objects.get().ip_address


def test_through_nginx_the_client_cannot_choose_its_address_and_around_it_it_can(portal):
    assert failed_sign_in(portal["proxy"]) == "127.0.0.1"  # the address nginx saw, not the forged one
    assert failed_sign_in(portal["direct"]) == FORGED  # why gunicorn's port is not published


def test_nginx_passes_the_host_and_lets_a_request_with_photos_through(portal):
    response = requests.get(f"{portal['proxy']}/healthz", headers={"Host": "localhost"}, timeout=30)
    assert response.headers["Content-Type"] == "application/json"  # the portal answered, not nginx
    photos = {"photo": b"x" * (12 * 1024 * 1024)}
    big = requests.post(f"{portal['proxy']}/wishes/new/", files=photos, timeout=60)
    assert big.status_code != 413  # nginx lets the portal judge the upload (its own limits, its own message)
