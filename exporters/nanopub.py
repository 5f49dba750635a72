"""Nanopublications: one per claim, with a Trusty URI, checked by the `nanopub` library (-o DIR).

Each claim becomes ``<claim>.trig`` (head, assertion, provenance, pubinfo; see
`graph.rdf.nanopubs`). Unsigned by default: the Trusty URI is the hash of the four graphs, so the
same graph gives the same URIs export after export. With a private key (``--key``) each is signed
(RSA) before its Trusty URI is made. ``index.tsv`` lists claim IRI → nanopublication URI; given a
previous export (``--previous``), a claim whose nanopublication changed says which one it
supersedes.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from . import DirectoryOptions

NAME = "nanopub"
SUFFIX = "/"
MEDIA_TYPE = "application/trig"
DESCRIPTION = (
    "one nanopublication per claim (TriG, Trusty URIs, optionally signed with --key), "
    "and index.tsv (-o DIR)"
)
IS_RDF = False
INDEX = "index.tsv"


def export(dataset: Any, out: IO[bytes]) -> None:
    """Nanopublications are a directory: `files` makes it; a stream cannot hold it."""
    from ..graph.base.errors import EvidenceGraphError

    raise EvidenceGraphError("the nanopub format writes a directory: give -o DIR")


def _previous(directory: Path | None) -> dict[str, str]:
    """Claim IRI → nanopublication URI of a previous export's index (empty without one)."""
    from ..graph.base.errors import SourceError

    if directory is None:
        return {}
    index = directory / INDEX
    try:
        text = index.read_text(encoding="utf-8")
    except OSError as exc:
        raise SourceError(
            index, None, f"cannot read the previous export's index: {exc.strerror or exc}",
            hint="--previous names a directory an earlier `export -f nanopub -o DIR` wrote",
        ) from exc  # fmt: skip
    result: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 2:
            raise SourceError(index, number, "expected two tab-separated columns: claim, nanopub")
        result[parts[0]] = parts[1]
    return result


def _profile(key: Path | None) -> Any:
    """A `nanopub` Profile holding the private key at `key` (PEM or bare base64); None: unsigned."""
    from ..graph.base.errors import SourceError

    if key is None:
        return None
    from base64 import decodebytes

    from Crypto.PublicKey import RSA
    from nanopub.profile import Profile, format_key

    try:
        text = key.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(key, None, f"cannot read the key: {exc}") from exc
    try:
        if text.startswith("-----BEGIN"):
            rsa = RSA.import_key(text)
        else:
            rsa = RSA.import_key(decodebytes(text.encode()))
    except (ValueError, IndexError, TypeError) as exc:
        raise SourceError(
            key, None, "not an RSA private key",
            hint="give a PEM private key, e.g. the id_rsa that nanopub's key generation writes",
        ) from exc  # fmt: skip
    if not rsa.has_private():
        raise SourceError(key, None, "this is a public key; signing needs the private key")
    private = format_key(rsa.export_key("PEM", pkcs=8).decode("utf-8"))
    public = format_key(rsa.publickey().export_key().decode("utf-8"))  # type: ignore[no-untyped-call]
    return Profile(
        orcid_id="https://w3id.org/evidence-graph/id/agent/evidence-graph",
        name="evidence-graph",
        private_key=private,
        public_key=public,
    )


def make(graphs: Any, profile: Any) -> Any:
    """A checked `nanopub.Nanopub` of a claim's graphs: signed with `profile`, or unsigned with
    its Trusty URI made from the hash of its graphs."""
    from nanopub.nanopub import Nanopub
    from nanopub.nanopub_conf import NanopubConf
    from nanopub.sign_utils import replace_trusty_in_graph
    from nanopub.trustyuri.rdf import RdfHasher, RdfUtils

    conf = NanopubConf(profile=profile, add_prov_generated_time=False)
    np = Nanopub(
        conf=conf,
        assertion=graphs.assertion,
        provenance=graphs.provenance,
        pubinfo=graphs.pubinfo,
    )
    if profile is not None:
        np.sign()
    else:
        namespace = str(np.metadata.namespace)
        quads = RdfUtils.get_quads(np.rdf)  # type: ignore[no-untyped-call]
        artefact = RdfHasher.make_hash(quads, baseuri=namespace, hashstr=" ")
        rdf = replace_trusty_in_graph(artefact, namespace, np.rdf)
        np = Nanopub(rdf=rdf, conf=conf)
    assert np.is_valid and np.has_valid_trusty
    if profile is not None:
        assert np.has_valid_signature
    return np


def files(dataset: Any, options: DirectoryOptions) -> dict[str, bytes]:
    """One ``.trig`` per claim and ``index.tsv``."""
    from importlib.metadata import version

    from ..graph.rdf.nanopubs import claim_graphs, claims
    from ..ontology import ID

    previous = _previous(options.previous)
    profile = _profile(options.key)
    tool = version("evidence-graph")
    out: dict[str, bytes] = {}
    index: list[str] = []
    for claim in claims(dataset):
        old = previous.get(str(claim))
        graphs = claim_graphs(dataset, claim, tool_version=tool, epoch=_epoch())
        np = make(graphs, profile)
        if old is not None and old != str(np.source_uri):
            graphs = claim_graphs(dataset, claim, tool_version=tool, epoch=_epoch(), supersedes=old)
            np = make(graphs, profile)
        name = str(claim).removeprefix(ID).replace("/", "-") + ".trig"
        out[name] = _trig(np.rdf)
        index.append(f"{claim}\t{np.source_uri}")
    out[INDEX] = ("\n".join(sorted(index)) + "\n").encode("utf-8") if index else b""
    return out


def _epoch() -> int | None:
    """SOURCE_DATE_EPOCH, the one date a reproducible export may carry."""
    import os

    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return int(value) if value.isdigit() else None


def _trig(rdf: Any) -> bytes:
    """The nanopublication as TriG, graphs in IRI order (deterministic)."""
    from ..graph.rdf.dataset import new_dataset
    from ..graph.rdf.serialize import serialize

    ds = new_dataset()
    for prefix, namespace in rdf.namespaces():
        if prefix in ("this", "sub"):
            ds.bind(prefix, namespace)
    for s, p, o, g in rdf.quads((None, None, None, None)):
        ds.graph(g.identifier if hasattr(g, "identifier") else g).add((s, p, o))
    return serialize(ds, "trig")
