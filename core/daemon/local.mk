# core/daemon: filled in by its owner
