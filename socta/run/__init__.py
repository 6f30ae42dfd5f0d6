"""Executing the pages: the grid of jobs (page × scope × edition), their cache keys, papermill on warm
kernels, and what is stale."""
