# tests/runtime: filled in by its owner
