"""The networkx projection, network analytics, the graph page and the matrix view."""
