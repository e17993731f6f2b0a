"""The errata end of the pipeline: signed RPMs in a dnf repository with an updateinfo advisory."""
