"""Reading sendmail.spec (with the `specfile` library) and laying out its SOURCES for rpmbuild."""
