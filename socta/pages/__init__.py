"""What a notebook calls: one ``Page`` per chapter, the sentences that depend on data, the figure style
and the rendering of figures and tables into the book."""
