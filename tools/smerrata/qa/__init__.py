"""QA matrix: real sendmail binaries against TLS-breaking loopback peers (issue 4, rhbz#1868041).

Modules, one job each:
  certs      test CA, server/client certificates and weak DH parameters
  peers      the misbehaving SMTP servers and what they saw per connection
  scenarios  the catalogue: what each peer does and the expected outcome per mode
  builds     builds under test (Debian reference debs, the patched RPMs) unpacked into a cache
  clientcf   the client .mc/.cf and access map, generated with the build's own cf tree
  sandbox    one sendmail run in its own UTS+mount namespace with a private /dev/log
  cell       one scenario x build x mode: peer + sandbox + evidence + verdict
  matrix     all cells in parallel, parity verdict
  report     JSON, Markdown and JUnit XML
"""
