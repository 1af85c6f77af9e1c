"""Optional AI assistance: each use of the language model, guarded, on top of the rules."""
