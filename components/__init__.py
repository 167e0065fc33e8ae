"""Pulumi components and dynamic providers that turn validated policies into AWS resources."""
