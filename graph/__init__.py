"""evidence-graph: Effectiveness Bank evidence maps as a knowledge graph."""

__version__ = "0.1.0"

STORES = ("oxigraph", "memory")
"""The stores `build` can use: Oxigraph (fast, incremental, persisted) or rdflib's memory store.

Defined here, in the package's lightest module, so the CLI can offer them without importing rdflib.
"""
DEFAULT_STORE = "oxigraph"
"""The one default store of the library and of `evidence-graph build`."""
