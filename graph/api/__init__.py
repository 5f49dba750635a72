"""evidence-graph: Effectiveness Bank evidence maps as a knowledge graph.

This folder is installed as the root package ``evidence_graph``; the repository's folders are its
subpackages (``evidence_graph.graph`` is ``graph/``, ``evidence_graph.ontology`` is ``ontology/``,
``evidence_graph.exporters`` is ``exporters/``).
"""

__version__ = "0.1.0"
