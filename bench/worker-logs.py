#!/usr/bin/env python3
"""Writes realistic CI logs for the packaging benchmark: compressible text, many files.

usage: worker-logs.py DIR TOTAL_MB FILES
Lines look like test runner, compiler and shell output, with varying numbers and names, so they
compress about as well as real logs do (5-10x), not as well as repeated text.
"""
import os
import random
import sys

WORDS = ("parser lexer osh ysh spec builtin word_eval cmd_eval arith glob brace alias "
         "redirect heredoc subshell pipeline assign array assoc printf read trap wait "
         "history completion prompt unicode utf8 locale errexit pipefail nounset").split()
LEVELS = ["INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR"]
OUTCOMES = ["PASSED", "PASSED", "PASSED", "PASSED", "FAILED", "SKIPPED"]


def line(rng, n):
    kind = rng.randrange(4)
    ts = "2026-11-21T%02d:%02d:%02d.%03dZ" % (rng.randrange(24), rng.randrange(60),
                                               rng.randrange(60), rng.randrange(1000))
    if kind == 0:
        return "%s [%s] test_%s.py::test_%s_%d %s (%.4fs) worker=%d\n" % (
            ts, rng.choice(LEVELS), rng.choice(WORDS), rng.choice(WORDS), rng.randrange(5000),
            rng.choice(OUTCOMES), rng.random() * 3, rng.randrange(8))
    if kind == 1:
        return "g++ -O2 -Wall -c _build/cpp/%s_%s.cc -o _build/obj/%s_%d.o\n" % (
            rng.choice(WORDS), rng.choice(WORDS), rng.choice(WORDS), rng.randrange(900))
    if kind == 2:
        return "case %d: %s %s %s ... ok  [%d ms]\n" % (
            n, rng.choice(WORDS), rng.choice(WORDS), rng.choice(WORDS), rng.randrange(2000))
    return "%s %s\n" % (ts, " ".join(rng.choice(WORDS) for _ in range(rng.randrange(4, 12))))


def main():
    out, total_mb, files = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    os.makedirs(out, exist_ok=True)
    per_file = total_mb * 1024 * 1024 // files
    rng = random.Random(42)
    for i in range(files):
        chunk, size, n = [], 0, 0
        while size < per_file:
            text = line(rng, n)
            chunk.append(text)
            size += len(text)
            n += 1
        with open(os.path.join(out, "task-%04d.txt" % i), "w") as f:
            f.write("".join(chunk))


if __name__ == "__main__":
    main()
