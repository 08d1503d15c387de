"""Grappe: the platform that runs a Walloon business cluster."""

__version__ = "0.1.0"
