"""The Pulumi program: stack config in, Redshift backup policies and restores out. No logic lives here."""

from components.stack import build_stack, load_stack

# Validation runs first and raises with every problem before a single resource is registered.
build_stack(load_stack())
