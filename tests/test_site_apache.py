"""The static site's redirect rules (`.htaccess`, `w3id.htaccess`) on a real Apache httpd.

Apache runs on a free loopback port with only the modules the rules need, serving the exported
site; requests with each Accept header must reach the matching file (`.html`/`.ttl`/`.jsonld`/
`.nt`) with its media type, and the w3id.org rules must answer 303 to the site's file.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from conftest import DATA, require
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from servers import free_port, stop, wait_until

from evidence_graph.exporters import DirectoryOptions, as_directory, get
from evidence_graph.graph.reading.load import load_dataset
from evidence_graph.ontology import ID

MODULES = Path("/usr/lib/apache2/modules")
CELL = "id/cell/drug/B4"
NEGOTIATED = {
    "text/html": ".html",
    "text/turtle": ".ttl",
    "application/ld+json": ".jsonld",
    "application/n-triples": ".nt",
}


def _apache() -> str:
    path = shutil.which("apache2") or shutil.which("apache2", path="/usr/sbin:/usr/local/sbin")
    require("program 'apache2'", path is not None, "apt-get install apache2 (.ci/run installs it)")
    assert path is not None
    return path


def _config(root: Path, port: int) -> str:
    modules = ["mpm_event", "authz_core", "mime", "rewrite", "dir"]
    loads = [f"LoadModule {m}_module {MODULES / f'mod_{m}.so'}" for m in modules]
    return "\n".join(
        [
            f"ServerRoot {root}",
            f"DefaultRuntimeDir {root}/run",
            f"PidFile {root}/run/httpd.pid",
            *loads,
            f"Listen 127.0.0.1:{port}",
            "ServerName 127.0.0.1",
            f"ErrorLog {root}/error.log",
            "LogLevel warn",
            "TypesConfig /dev/null",  # media types come from the site's own .htaccess
            f"DocumentRoot {root}/www",
            "<Directory />",
            "  AllowOverride None",
            "  Require all denied",
            "</Directory>",
            f'<Directory "{root}/www">',
            "  Options FollowSymLinks",
            "  AllowOverride FileInfo Indexes Options=MultiViews",
            "  Require all granted",
            "</Directory>",
            "",
        ]
    )


def _write(directory: Path, files: dict[str, bytes]) -> None:
    for name, content in files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


@pytest.fixture(scope="module")
def apache(seed_graph: Path) -> Iterator[str]:
    """An Apache httpd on loopback serving the site at /site/ and the w3id rules at /w3id/."""
    program = _apache()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # Apache's workers drop root for an unprivileged user: the tree must be world-readable.
    root = Path(tempfile.mkdtemp(prefix="evg-apache-"))
    try:
        seed = load_dataset(seed_graph)
        site = as_directory(get("site"))
        files = site.files(seed, DirectoryOptions(data_dir=DATA, site_url=f"{base}/site/"))
        _write(root / "www" / "site", files)
        _write(root / "www" / "w3id", {".htaccess": files["w3id.htaccess"]})
        (root / "run").mkdir()
        (root / "httpd.conf").write_text(_config(root, port), encoding="utf-8")
        for directory, _, names in os.walk(root):
            os.chmod(directory, 0o755)
            for name in names:
                os.chmod(Path(directory) / name, 0o644)
        log = root / "error.log"
        process = subprocess.Popen(
            [program, "-f", str(root / "httpd.conf"), "-DFOREGROUND"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={"PATH": os.environ.get("PATH", ""), "LANG": "C"},
        )
        try:
            wait_until(f"{base}/site/index.html", process, 30, log)
            yield base
        finally:
            stop(process)
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.mark.parametrize("media", list(NEGOTIATED))
def test_site_rules_negotiate_each_representation(apache: str, media: str) -> None:
    response = requests.get(
        f"{apache}/site/{CELL}", headers={"Accept": media}, timeout=10, allow_redirects=False
    )
    assert response.status_code == 200, (media, response.status_code, response.text[:200])
    assert response.headers["Content-Type"].split(";")[0] == media
    direct = requests.get(f"{apache}/site/{CELL}{NEGOTIATED[media]}", timeout=10)
    assert direct.status_code == 200 and direct.content == response.content
    if media != "text/html":
        fmt = {"text/turtle": "turtle", "application/ld+json": "json-ld"}.get(media, "nt")
        parsed = Graph().parse(data=response.content, format=fmt)
        assert (URIRef(ID + CELL[len("id/") :]), None, None) in parsed


WEIGHED = [
    ("text/turtle, text/html;q=0.1", ".ttl"),  # HTML named, at less than full quality
    ("text/html;q=0.9, text/turtle;q=0.5", ".html"),  # neither at full quality: HTML named
    ("application/ld+json;q=0.9, */*;q=0.1", ".jsonld"),  # the one syntax taken, no HTML named
    ("text/turtle;q=0, application/n-triples;q=0.5", ".nt"),  # Turtle refused
    ("text/turtle;q=0", ".html"),  # the only syntax named, refused
    ("text/turtle;q=0.5, application/ld+json", ".jsonld"),  # full quality first
    ("Text/Turtle", ".ttl"),  # media types are case-insensitive
    ("*/*", ".html"),
]


@pytest.mark.parametrize(("accept", "suffix"), WEIGHED)
def test_site_rules_weigh_the_qualities_of_the_accept_header(
    apache: str, accept: str, suffix: str
) -> None:
    response = requests.get(
        f"{apache}/site/{CELL}", headers={"Accept": accept}, timeout=10, allow_redirects=False
    )
    assert response.status_code == 200, (accept, response.status_code)
    direct = requests.get(f"{apache}/site/{CELL}{suffix}", timeout=10)
    assert direct.status_code == 200 and response.content == direct.content, accept
    w3id = requests.get(
        f"{apache}/w3id/{CELL}", headers={"Accept": accept}, timeout=10, allow_redirects=False
    )
    assert w3id.status_code == 303 and w3id.headers["Location"].endswith(CELL + suffix), accept


def test_site_rules_default_to_html_and_serve_ontology_terms(apache: str) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    for path in (CELL, "ontology", "ontology/Claim"):
        page = requests.get(f"{apache}/site/{path}", headers={"Accept": browser}, timeout=10)
        assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
        assert "<html" in page.text.lower(), path
    turtle = requests.get(
        f"{apache}/site/ontology/Claim", headers={"Accept": "text/turtle"}, timeout=10
    )
    assert turtle.status_code == 200 and turtle.headers["Content-Type"].startswith("text/turtle")
    missing = requests.get(f"{apache}/site/id/no/such/thing", timeout=10)
    assert missing.status_code == 404


def test_w3id_rules_redirect_to_the_site(apache: str) -> None:
    for media, suffix in NEGOTIATED.items():
        response = requests.get(
            f"{apache}/w3id/{CELL}", headers={"Accept": media}, timeout=10, allow_redirects=False
        )
        assert response.status_code == 303, (media, response.status_code)
        assert response.headers["Location"] == f"{apache}/site/{CELL}{suffix}"
        followed = requests.get(f"{apache}/w3id/{CELL}", headers={"Accept": media}, timeout=10)
        assert followed.status_code == 200
        assert followed.headers["Content-Type"].split(";")[0] == media
    turtle = requests.get(f"{apache}/w3id/{CELL}", headers={"Accept": "text/turtle"}, timeout=10)
    ntriples = requests.get(
        f"{apache}/w3id/{CELL}", headers={"Accept": "application/n-triples"}, timeout=10
    )
    assert isomorphic(
        Graph().parse(data=turtle.content, format="turtle"),
        Graph().parse(data=ntriples.content, format="nt"),
    )
    index = requests.get(f"{apache}/w3id/", timeout=10, allow_redirects=False)
    assert index.status_code == 302 and index.headers["Location"] == f"{apache}/site/index.html"
