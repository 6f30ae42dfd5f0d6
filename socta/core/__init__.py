"""Foundation: the project and its paths, reading YAML and tables safely, text made inert for a page,
files written atomically. Imports nothing else of socta."""
