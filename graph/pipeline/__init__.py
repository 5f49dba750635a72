"""The one build pipeline and the store sinks it writes into."""
