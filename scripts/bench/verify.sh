#!/usr/bin/env bash
# Measures the local voice-over verifier on copy errors. The corpus of
# scripts/bench/verify/corpus.go holds 65 ad sentences, each with one
# realistic copy error of its kind (number or price, day/date/time, name or
# brand, product or noun, claim word such as free/new/no). Every sentence is
# synthesized by espeak-ng (voices default and +f3) and flite (slt, rms; any
# flite -lv voice with -voices) and verified as the API judges
# (service.Verdict, threshold 0.95) in five trials: the right audio, another
# sentence's script (wrong), the audio with the copy error (slip), the script
# with a second sentence the audio omits (omission), the audio with an extra
# sentence (insertion). It prints, per voice, synthesizer and kind, the share
# caught (verdict not match) and the share where the changed word itself is
# flagged, the false alarms on right audio, omissions and insertions caught,
# the ROC AUC right vs wrong, the copy errors missed and the right sentences
# flagged (by sentence, with the voices), and how long a 60-second voice-over
# takes to verify.
#
# Flags go to the Go program scripts/bench/verify:
#   -n 5                       the first 5 sentences of each kind (default all)
#   -kinds number,date         kinds of copy error (number,date,name,product,claim)
#   -voices espeak:+f3,flite:awb   synthesizer:voice pairs
#   -trials right,slip         trials (right,wrong,slip,omission,insertion)
#   -threshold 0.95 -parallel N (default: the CPUs) -time=false (skip the
#   60 s timing) -v (print every trial: verdict, flagged words and what was
#   heard)
# A full run is 1,300 verifications (about 30 minutes on 2 free cores); -n 5
# is a quick look. Needs espeak-ng, flite, pocketsphinx and
# pocketsphinx-en-us.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec go run ./scripts/bench/verify "$@"
