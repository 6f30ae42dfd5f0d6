"""Raw data in: the reference files, the input tables' schema and validation, the import of published
source tables, the open-source context files. Nothing here scores or draws."""
