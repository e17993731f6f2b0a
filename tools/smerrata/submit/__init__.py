"""Hand the SRPM to a build system (Copr) and bring its RPMs back into results/RPMS/<arch>."""
