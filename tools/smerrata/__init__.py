"""Backport-and-errata pipeline for sendmail 8.15.2 on RHEL 8 (TLSFallbacktoClear, rhbz#1868041).

The sub-packages follow the flow in the design: sources -> backport -> spec -> build -> errata,
with qa exercising what build produced.
"""

__version__ = "0.1.0"
