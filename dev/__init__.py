"""Development only: the local stack, the benchmarks, the generators of the committed
files and their settings. Never shipped; the services never import it."""
