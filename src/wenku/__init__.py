"""Wenku (文库): a self-hosted document-sharing library."""

__version__ = "0.1.0"
