#!/usr/bin/env python3
"""Regenerates the expected ratios of testdata/similarity_cases.tsv.

Each case line is "expected<TAB>transcript<TAB>ratio" ("\\n" stands for a
newline; lines starting with "#" are comments). The texts are cleaned the way
speech.Similarity cleans them (NFC, lower case, anything that is not a letter,
number or mark becomes a space, white space collapsed) and the third column
is rewritten with difflib.SequenceMatcher(None, a, b, autojunk=False).ratio():

    python3 testdata/difflib_ratio.py testdata/similarity_cases.tsv
"""
import difflib
import sys
import unicodedata


def clean(text):
    text = unicodedata.normalize("NFC", text)
    chars = []
    for ch in text:
        if unicodedata.category(ch)[0] in "LNM":
            lower = ch.lower()
            chars.append(lower if len(lower) == 1 else ch)
        else:
            chars.append(" ")
    return " ".join("".join(chars).split())


def main(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                out.append(line)
                continue
            a, b = line.split("\t")[:2]
            ratio = difflib.SequenceMatcher(
                None, clean(a.replace("\\n", "\n")), clean(b.replace("\\n", "\n")), autojunk=False
            ).ratio()
            out.append(f"{a}\t{b}\t{ratio!r}")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
