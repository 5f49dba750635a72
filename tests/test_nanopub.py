"""Nanopublications: one per claim, valid for the nanopub library, stable Trusty URIs, signing."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import DATA
from nanopub.nanopub import Nanopub
from rdflib import ConjunctiveGraph, Dataset, URIRef
from rdflib.namespace import RDF

from evidence_graph.exporters import DirectoryOptions, as_directory, get
from evidence_graph.graph.base.errors import SourceError
from evidence_graph.graph.cli import cli
from evidence_graph.graph.pipeline.build import build
from evidence_graph.graph.reading.load import load_dataset
from evidence_graph.ontology import NS

NPX = "http://purl.org/nanopub/x/"
MP = "http://purl.org/mp/"
OA = "http://www.w3.org/ns/oa#"


@pytest.fixture(scope="module")
def seed(seed_graph: Path) -> Dataset:
    return load_dataset(seed_graph)


def _nanopub(trig: bytes) -> Nanopub:
    """The nanopublication in `trig`, as the nanopub library reads it."""
    # The library takes a ConjunctiveGraph, which rdflib 7 deprecates.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        g = ConjunctiveGraph()
    g.parse(data=trig, format="trig")
    return Nanopub(rdf=g)


def _nanopubs(files: dict[str, bytes]) -> dict[str, Nanopub]:
    return {
        name: _nanopub(content) for name, content in sorted(files.items()) if name.endswith(".trig")
    }


def test_one_valid_nanopub_per_claim_with_stable_trusty_uris(seed: Dataset) -> None:
    exporter = as_directory(get("nanopub"))
    files = exporter.files(seed, DirectoryOptions())
    claims = set(seed.subjects(RDF.type, URIRef(NS + "Claim")))
    nanopubs = _nanopubs(files)
    assert len(nanopubs) == len(claims) > 10
    index = dict(line.split("\t") for line in files["index.tsv"].decode().splitlines())
    assert set(index) == {str(c) for c in claims}
    for name, np in nanopubs.items():
        assert np.is_valid and np.has_valid_trusty, name
        assert str(np.source_uri).startswith("http://purl.org/np/RA"), name
        assert str(np.source_uri) in index.values()
        # The assertion holds the claim and its supports; provenance its quotes and selectors.
        links = {URIRef(MP + "supports"), URIRef(MP + "challenges")}
        assert any(p in links for _, p, _ in np.assertion), name
        kinds = {o for _, _, o in np.provenance}
        assert (
            URIRef(OA + "TextPositionSelector") in kinds
            and URIRef(OA + "TextQuoteSelector") in kinds
        )
        assert any(p == URIRef(NS + "sha256") for _, p, _ in np.provenance)
        assert any(str(o).startswith("https://creativecommons.org/") for _, _, o in np.pubinfo)
    again = exporter.files(seed, DirectoryOptions())
    assert again == files  # same graph, same bytes and Trusty URIs


def test_signed_nanopubs_carry_a_valid_signature(seed: Dataset, tmp_path: Path) -> None:
    from nanopub.profile import generate_keyfiles

    generate_keyfiles(tmp_path / "keys")
    options = DirectoryOptions(key=tmp_path / "keys" / "id_rsa")
    files = as_directory(get("nanopub")).files(seed, options)
    nanopubs = _nanopubs(files)
    assert nanopubs
    for name, np in list(nanopubs.items())[:5]:
        assert np.is_valid and np.has_valid_trusty and np.has_valid_signature, name
        assert any(p == URIRef(NPX + "hasSignature") for _, p, _ in np.pubinfo)
    assert files == as_directory(get("nanopub")).files(seed, options)  # RSA PKCS#1 v1.5: stable
    (tmp_path / "public.pem").write_text(
        "-----BEGIN PUBLIC KEY-----\nMFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAL\n-----END PUBLIC KEY-----\n"
    )
    with pytest.raises(SourceError):
        as_directory(get("nanopub")).files(seed, DirectoryOptions(key=tmp_path / "public.pem"))


def test_revised_claim_supersedes_its_previous_nanopub(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    runner = CliRunner()
    build(data, tmp_path / "build1")
    first = tmp_path / "np1"
    result = runner.invoke(
        cli, ["export", "-f", "nanopub", "-g", str(tmp_path / "build1"), "-o", str(first)]
    )
    assert result.exit_code == 0, result.output
    claims_file = data / "claims" / "practitioners-psychosocial.yaml"
    text = claims_file.read_text(encoding="utf-8")
    old_outcome = "outcome: sustained reduction in substance use"
    revised = text.replace(old_outcome, old_outcome.replace("reduction", "reductions"), 1)
    assert revised != text
    claims_file.write_text(revised, encoding="utf-8")
    build(data, tmp_path / "build2")
    second = tmp_path / "np2"
    result = runner.invoke(
        cli,
        ["export", "-f", "nanopub", "-g", str(tmp_path / "build2"), "-o", str(second),
         "--previous", str(first)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    old = dict(line.split("\t") for line in (first / "index.tsv").read_text().splitlines())
    new = dict(line.split("\t") for line in (second / "index.tsv").read_text().splitlines())
    changed = [c for c in new if new[c] != old.get(c)]
    assert changed == [c for c in new if c.endswith("/claim/helping-alliance-inverted-u")]
    np = _nanopub((second / "claim-helping-alliance-inverted-u.trig").read_bytes())
    assert np.is_valid and np.has_valid_trusty
    supersedes = [o for _, p, o in np.pubinfo if p == URIRef(NPX + "supersedes")]
    assert supersedes == [URIRef(old[changed[0]])]
    unchanged = next(c for c in new if c not in changed)
    assert new[unchanged] == old[unchanged]
