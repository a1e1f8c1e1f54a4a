#!/usr/bin/env python3
"""Share of CPU samples per thread in a JFR recording (jdk.ExecutionSample events).

Usage: scripts/jfr-threads.py RECORDING.jfr [TOP]

Thread names that differ only by a number or a UUID (stream threads, producer network
threads) are grouped, so that recordings of different runs compare.
"""
import collections
import re
import subprocess
import sys


def thread_kind(name):
    name = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<id>", name)
    name = re.sub(r"\d+", "N", name)
    return name


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 12
    out = subprocess.run(["jfr", "print", "--events", "jdk.ExecutionSample", sys.argv[1]],
                         check=True, capture_output=True, text=True).stdout
    counts = collections.Counter(thread_kind(m) for m in re.findall(r'sampledThread = "([^"]*)"', out))
    total = sum(counts.values())
    print(f"{total} samples in {sys.argv[1]}")
    for name, n in counts.most_common(top):
        print(f"{100.0 * n / total:5.1f}%  {name}")


if __name__ == "__main__":
    main()
