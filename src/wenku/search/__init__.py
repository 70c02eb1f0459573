"""Search: segmentation, search backends, related documents, fingerprints, rankings."""
