"""ilo: the token-lean prefix language for AI agents, in Python."""

__version__ = "0.1.0"
