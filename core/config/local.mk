# core/config: filled in by its owner
