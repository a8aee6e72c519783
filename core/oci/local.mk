# core/oci: filled in by its owner
