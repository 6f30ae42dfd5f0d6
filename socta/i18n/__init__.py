"""Languages: ``translate`` is what a page calls (``t()``, numbers and dates per language);
``messages`` extracts and checks the catalogues (``make messages``). Imports only ``socta.core``."""
