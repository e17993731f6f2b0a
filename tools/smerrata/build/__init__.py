"""Steps 3-4 of the flow: SRPM and RPMs from sendmail.spec, through mock or host rpmbuild."""
