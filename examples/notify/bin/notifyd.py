#!/usr/bin/env python3
# A small daemon that speaks systemd's sd_notify protocol, as PostgreSQL (built with systemd
# support), HAProxy (-Ws), unbound, Knot, or a Go or Rust service with an sd_notify library does:
# it says what it is doing (STATUS=), when it can serve (READY=1), and that it is still alive
# (WATCHDOG=1, every half period). Its first start "hangs" after three heartbeats, to show the
# watchdog at work; later starts hold. Usage: notifyd.py STATE_DIR
import os
import signal
import socket
import sys
import time


def notify(*assignments):
    """sd_notify(3): one datagram to $NOTIFY_SOCKET; nothing at all without one."""
    path = os.environ.get("NOTIFY_SOCKET")
    if not path:
        return
    if path.startswith("@"):  # the abstract namespace, as libsystemd reads it
        path = "\0" + path[1:]
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
        s.sendto("\n".join(assignments).encode(), path)


def watchdog_seconds():
    """sd_watchdog_enabled(3): the period, when there is a watchdog and it is meant for us."""
    usec = os.environ.get("WATCHDOG_USEC")
    pid = os.environ.get("WATCHDOG_PID")
    if not usec or (pid and int(pid) != os.getpid()):
        return None
    return int(usec) / 1_000_000


def stop(*_):
    print("db: shutting down", flush=True)
    notify("STOPPING=1")
    sys.exit(0)


state = sys.argv[1]
os.makedirs(state, exist_ok=True)
with open(os.path.join(state, "starts"), "a+") as starts_file:
    starts_file.write("x")
    starts_file.seek(0)
    start = len(starts_file.read())
signal.signal(signal.SIGTERM, stop)

print(f"db: start {start}, recovering", flush=True)
notify("STATUS=recovering from the write-ahead log")
time.sleep(0.5)
print("db: accepting connections", flush=True)
notify("STATUS=accepting connections", "READY=1")

period = watchdog_seconds()
beats = 0
while True:
    if period is not None and not (start == 1 and beats == 3):
        notify("WATCHDOG=1")
        beats += 1
        time.sleep(period / 2)
    else:
        if period is not None:
            print("db: stuck: no more heartbeats", flush=True)
        time.sleep(3600)
