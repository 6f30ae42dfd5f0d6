"""Publishing: staging an edition's source, the Sphinx extension that keeps data text inert and
confined, the Jupyter Book HTML and PDF builds, and the leak gate run after each."""
