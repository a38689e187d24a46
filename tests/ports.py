"""Ports for the servers tests start on fixed ranges (identity providers, Dovecot, LMTP): one home for the scan.

Under pytest-xdist each worker scans only its own share of a range, so two workers starting a server at the same
moment never both find the same port free."""

import os
import socket


def worker_share(ports: range) -> range:
    count = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT") or 1)
    index = int((os.environ.get("PYTEST_XDIST_WORKER") or "gw0").removeprefix("gw"))
    size = len(ports) // count
    return range(ports.start + index * size, ports.start + (index + 1) * size)


def free_port_in(ports: range) -> int:
    share = worker_share(ports)
    for port in share:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {share.start}-{share.stop - 1}")
