"""socta: an open, reproducible toolkit for a Serious and Organised Crime Threat Assessment."""

__version__ = "0.1.0"
