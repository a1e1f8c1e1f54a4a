#!/usr/bin/python3
"""One-pass prequential (test-then-train) baseline for examples/digits with scikit-learn.

For each sample of digits.jsonl, in the file's order: predict it, count whether the predicted
class (argmax) is the target's, then partial_fit on that one sample. The very first sample has no
fitted model to predict with, so it is counted as WRONG (the accuracies below are over all 1,797
samples, with sample 1 a miss). Nothing is shuffled and each sample is seen exactly once.

The network is scikit-learn's MLPClassifier with one hidden layer of 32 units, which for 10
classes is a [64,32,10] network with a softmax output and cross-entropy (log) loss, trained
with Adam one sample at a time: comparable with examples/digits/model.json. Every setting
not listed in SETTINGS is scikit-learn's default (printed in full per run).

Usage: /usr/bin/python3 examples/digits/sklearn_baseline.py [--file PATH]
"""
import argparse
import json
import os
import platform
import time
import warnings

import numpy as np
import sklearn
from sklearn.neural_network import MLPClassifier

LAST = 500
# (activation, learning_rate_init) pairs; the rest is fixed below.
RUNS = [("logistic", 0.01), ("relu", 0.01), ("logistic", 0.001), ("relu", 0.001)]
FIXED = dict(hidden_layer_sizes=(32,), solver="adam", random_state=42, batch_size=1)
SHOWN = ["hidden_layer_sizes", "activation", "solver", "learning_rate_init", "alpha",
         "beta_1", "beta_2", "epsilon", "batch_size", "random_state"]


def load(path):
    xs, ys = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            s = json.loads(line)
            xs.append(s["input"])
            ys.append(int(np.argmax(s["target"])))
    return np.asarray(xs, dtype=np.float64), np.asarray(ys, dtype=np.int64)


def prequential(X, y, activation, lr):
    clf = MLPClassifier(activation=activation, learning_rate_init=lr, **FIXED)
    classes = np.arange(10)
    hits = np.zeros(len(y), dtype=bool)  # hits[0] stays False: no model before the first fit
    start = time.perf_counter()
    for i in range(len(y)):
        xi, yi = X[i:i + 1], y[i:i + 1]
        if i > 0:
            hits[i] = clf.predict(xi)[0] == yi[0]
            clf.partial_fit(xi, yi)
        else:
            clf.partial_fit(xi, yi, classes=classes)
    seconds = time.perf_counter() - start
    return clf, hits, seconds


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--file", default=os.path.join(here, "digits.jsonl"))
    args = ap.parse_args()
    X, y = load(args.file)
    n = len(y)

    print(f"scikit-learn {sklearn.__version__}, numpy {np.__version__}, "
          f"Python {platform.python_version()} ({platform.machine()})")
    print(f"data: {os.path.basename(args.file)}, {n} samples x {X.shape[1]} inputs, 10 classes, file order")
    print("protocol: one pass, prequential (predict, then partial_fit on the same sample); "
          "sample 1 is counted wrong (no fitted model yet); classes=range(10) on the first partial_fit")
    print()
    results = []
    for activation, lr in RUNS:
        # adam's partial_fit never warns about convergence; silence anything else generic
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category=UserWarning)
            clf, hits, seconds = prequential(X, y, activation, lr)
        params = clf.get_params()
        print("MLPClassifier(" + ", ".join(f"{k}={params[k]!r}" for k in SHOWN) + ")")
        acc, last = hits.mean(), hits[-LAST:].mean()
        print(f"  prequential accuracy {hits.sum()}/{n} = {acc:.4f}; last {LAST}: "
              f"{hits[-LAST:].sum()}/{LAST} = {last:.4f}; {seconds:.2f} s ({n / seconds:,.0f} samples/s, "
              f"predict + partial_fit)")
        results.append((activation, lr, hits.sum(), acc, hits[-LAST:].sum(), last, seconds))
    print()
    print(f"| activation | learning_rate_init | correct/{n} | accuracy | last {LAST} | seconds |")
    print("| --- | --- | --- | --- | --- | --- |")
    for activation, lr, c, acc, cl, last, seconds in results:
        print(f"| {activation} | {lr} | {c} | {acc:.4f} | {cl}/{LAST} = {last:.4f} | {seconds:.2f} |")


if __name__ == "__main__":
    main()
