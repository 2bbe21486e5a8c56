"""Experiments: the ``ecomsim`` command line, replication runner and result writers."""
