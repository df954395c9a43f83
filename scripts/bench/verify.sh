#!/usr/bin/env bash
# Measures the local voice-over verifier: synthesizes the corpus of
# scripts/bench/verify/corpus.go with espeak-ng in two voices, verifies each
# recording against its own text, another sentence's text, and (recorded with
# one word changed) its own text, and prints the ROC AUC and equal error rate
# of right against wrong, the share of one-word changes caught, and how long a
# 60-second voice-over takes to verify. Flags go to the Go program (-n, -v,
# -parallel). Needs espeak-ng, pocketsphinx and pocketsphinx-en-us.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec go run ./scripts/bench/verify "$@"
