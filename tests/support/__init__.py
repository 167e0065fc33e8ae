"""Test support shared by test packages and standalone scripts: moto extensions and a moto server entry point."""
