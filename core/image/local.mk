# core/image: filled in by its owner
