#!/usr/bin/python3
"""Derive examples/digits/digits.jsonl and digits.csv from scikit-learn's copy of the UCI
"Optical Recognition of Handwritten Digits" data (1,797 samples, 8x8 pixels of 0..16).

Source: sklearn/datasets/data/digits.csv.gz as shipped by scikit-learn (Debian package
python3-sklearn): 1,797 lines, each 64 pixel counts (0..16) then the digit label (0..9), no header.

What this script changes (see LICENSE.md):
  * each pixel is divided by 16, giving a value in [0, 1]; k/16 is exact in binary, so the
    shortest repr is printed (0, 0.0625, 0.25, 0.8125, 1);
  * the label becomes a one-hot target of 10 numbers (0 or 1);
  * the samples are put in one fixed shuffled order: row i of the output is row
    np.random.RandomState(42).permutation(1797)[i] of the source (0-based, source order).

Outputs (UTF-8, '\n' line ends, no header, no comment lines):
  digits.jsonl  {"input":[64 numbers],"target":[10 numbers]} per line
  digits.csv    64 input columns, then 10 target columns per line

Deterministic: running it again gives byte-identical files.

Usage: /usr/bin/python3 examples/digits/make_digits.py [--source PATH] [--out-dir DIR]
"""
import argparse
import gzip
import hashlib
import os
import sys

import numpy as np

N_SAMPLES = 1797
N_INPUTS = 64
N_CLASSES = 10
SEED = 42
# sha256 of the digits.csv.gz in scikit-learn 1.2.1 (Debian 1.2.1+dfsg-1); the file has not
# changed across scikit-learn releases, but a different one only earns a warning.
SOURCE_SHA256 = "46abec6b12486ad9e51943373abcf22bbea1b5a51a1619b361570d8893f1464a"


def default_source():
    import sklearn.datasets
    return os.path.join(os.path.dirname(sklearn.datasets.__file__), "data", "digits.csv.gz")


def number(v):
    """Shortest text for v: '0' and '1' for whole numbers, else Python's shortest repr."""
    if v == int(v):
        return str(int(v))
    return repr(float(v))


def load(path):
    with open(path, "rb") as f:
        raw = f.read()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != SOURCE_SHA256:
        print(f"warning: {path} has sha256 {digest}, expected {SOURCE_SHA256}", file=sys.stderr)
    rows = []
    for line_no, line in enumerate(gzip.decompress(raw).decode("ascii").splitlines(), 1):
        if not line.strip():
            continue
        cells = [int(c) for c in line.split(",")]
        if len(cells) != N_INPUTS + 1:
            raise SystemExit(f"{path} line {line_no}: {len(cells)} columns, expected {N_INPUTS + 1}")
        pixels, label = cells[:N_INPUTS], cells[N_INPUTS]
        if not all(0 <= p <= 16 for p in pixels) or not 0 <= label < N_CLASSES:
            raise SystemExit(f"{path} line {line_no}: value out of range")
        rows.append((pixels, label))
    if len(rows) != N_SAMPLES:
        raise SystemExit(f"{path}: {len(rows)} samples, expected {N_SAMPLES}")
    return rows


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--source", default=None, help="digits.csv.gz (default: the installed scikit-learn's)")
    ap.add_argument("--out-dir", default=here, help="where to write digits.jsonl and digits.csv (default: beside this script)")
    args = ap.parse_args()
    source = args.source or default_source()

    rows = load(source)
    order = np.random.RandomState(SEED).permutation(N_SAMPLES)

    jsonl, csv = [], []
    for i in order:
        pixels, label = rows[int(i)]
        inputs = [number(p / 16) for p in pixels]
        target = ["1" if k == label else "0" for k in range(N_CLASSES)]
        jsonl.append('{"input":[' + ",".join(inputs) + '],"target":[' + ",".join(target) + "]}\n")
        csv.append(",".join(inputs + target) + "\n")

    os.makedirs(args.out_dir, exist_ok=True)
    for name, lines in (("digits.jsonl", jsonl), ("digits.csv", csv)):
        path = os.path.join(args.out_dir, name)
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.writelines(lines)
        with open(path, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        print(f"{path}: {len(lines)} samples, sha256 {digest}")


if __name__ == "__main__":
    main()
