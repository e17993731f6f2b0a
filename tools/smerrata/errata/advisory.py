"""The updateinfo record (createrepo_c's UpdateRecord) for one advisory."""

from __future__ import annotations

from datetime import datetime

import createrepo_c as cr

from .packages import BuiltPackage
from .settings import AdvisorySettings


def update_record(advisory: AdvisorySettings, issued: datetime, packages: list[BuiltPackage]) -> cr.UpdateRecord:
    record = cr.UpdateRecord()
    record.id = advisory.id
    record.type = advisory.type
    record.status = advisory.status
    record.version = "1"
    record.severity = advisory.severity
    record.title = advisory.title
    record.summary = advisory.title
    record.description = advisory.description
    record.release = advisory.release
    record.rights = advisory.rights
    record.solution = advisory.solution
    # One build, one date: updated == issued until the advisory is respun with a new epoch.
    record.issued_date = issued
    record.updated_date = issued
    for bug in advisory.bugs:
        reference = cr.UpdateReference()
        reference.type = "bugzilla"
        reference.id = bug.id
        reference.href = bug.href
        reference.title = bug.title
        record.append_reference(reference)

    collection = cr.UpdateCollection()
    collection.shortname = advisory.collection_short
    collection.name = advisory.collection_name
    for pkg in sorted(packages, key=lambda p: (p.name, p.arch, p.filename)):
        entry = cr.UpdateCollectionPackage()
        entry.name = pkg.name
        entry.epoch = pkg.epoch
        entry.version = pkg.version
        entry.release = pkg.release
        entry.arch = pkg.arch
        entry.filename = pkg.filename
        entry.src = pkg.sourcerpm
        entry.sum = pkg.sha256
        entry.sum_type = cr.SHA256
        collection.append(entry)
    record.append_collection(collection)
    return record
