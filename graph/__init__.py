"""evidence-graph: Effectiveness Bank evidence maps as a knowledge graph."""

__version__ = "0.1.0"
