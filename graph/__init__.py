"""evidence-graph: Effectiveness Bank evidence maps as a knowledge graph."""

__version__ = "0.1.0"

STORES: dict[str, str] = {
    "oxigraph": "evidence_graph.graph.pipeline.oxigraph_sink:OxigraphSink",
    "memory": "evidence_graph.graph.pipeline.memory_sink:MemorySink",
}
"""The stores `build` can write into → their sink class (module:class), imported when used:
Oxigraph (fast, incremental, persisted) or rdflib's memory store (the reference).

Defined here, in the package's lightest module, so the CLI can offer them without importing rdflib.
"""
DEFAULT_STORE = "oxigraph"
"""The one default store of the library and of `evidence-graph build`."""
