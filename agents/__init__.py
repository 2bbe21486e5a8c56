"""The agents: firms (one row per firm in arrays), platforms, logistics providers, the funder."""
