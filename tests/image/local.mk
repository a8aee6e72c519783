# tests/image: filled in by its owner
