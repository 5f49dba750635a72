"""The evidence-graph ontology: files shipped with the package and the namespace of its terms."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
ONTOLOGY_FILE = HERE / "evidence.ttl"
SHAPES_FILE = HERE / "shapes.ttl"
CONTEXT_FILE = HERE / "context.jsonld"

NS = "https://w3id.org/evidence-graph/ontology#"
"""Ontology namespace (prefix ``evg:``)."""
ID = "https://w3id.org/evidence-graph/id/"
"""Base of every resource identifier: ``ID + "cell/drug/B4"``."""
