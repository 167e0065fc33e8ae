"""End-to-end tests under the real Pulumi engine (`make e2e`; docs/engine.md). Not collected by `make test`."""
