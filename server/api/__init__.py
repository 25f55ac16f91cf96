"""HTTP API for terminals (/api/*): thin routes that validate at the edge and call the services."""
