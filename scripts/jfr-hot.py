#!/usr/bin/env python3
"""Hottest methods of one thread kind in a JFR recording, self and inclusive.

Usage: scripts/jfr-hot.py RECORDING.jfr THREAD-SUBSTRING [TOP]
"""
import collections
import re
import subprocess
import sys


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    top = int(sys.argv[3]) if len(sys.argv) > 3 else 25
    out = subprocess.run(["jfr", "print", "--events", "jdk.ExecutionSample", "--stack-depth", "64", sys.argv[1]],
                         check=True, capture_output=True, text=True).stdout
    own, incl, n = collections.Counter(), collections.Counter(), 0
    for event in out.split("jdk.ExecutionSample")[1:]:
        thread = re.search(r'sampledThread = "([^"]*)"', event)
        if not thread or sys.argv[2] not in thread.group(1):
            continue
        frames = re.findall(r"^\s+([\w.$<>]+)\(", event, re.M)
        if not frames:
            continue
        n += 1
        own[frames[0]] += 1
        for f in set(frames):
            incl[f] += 1
    print(f"{n} samples of threads matching '{sys.argv[2]}'")
    print("self:")
    for name, c in own.most_common(top):
        print(f"{100.0 * c / n:5.1f}%  {name}")
    print("inclusive:")
    for name, c in incl.most_common(top * 2):
        print(f"{100.0 * c / n:5.1f}%  {name}")


if __name__ == "__main__":
    main()
