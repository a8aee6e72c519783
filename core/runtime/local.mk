# core/runtime: filled in by its owner
