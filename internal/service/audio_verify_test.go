package service

import (
	"slices"
	"testing"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/internal/speech"
)

func TestVerdict(t *testing.T) {
	ok := []speech.CheckedWord{{Word: "big", Status: speech.WordOK}, {Word: "sale", Status: speech.WordOK}}
	slip := []speech.CheckedWord{{Word: "big", Status: speech.WordOK}, {Word: "sale", Status: speech.WordSubstituted}}
	for _, tc := range []struct {
		similarity, threshold float64
		words                 []speech.CheckedWord
		want                  string
	}{
		{1, 0.95, ok, omnivibe.VerdictMatch},
		{0.95, 0.95, ok, omnivibe.VerdictMatch},
		{0.99, 0.95, slip, omnivibe.VerdictPartial}, // a slip is never a match
		{0.9, 0.95, ok, omnivibe.VerdictPartial},
		{0.81, 0.95, slip, omnivibe.VerdictPartial},
		{0.8, 0.95, ok, omnivibe.VerdictMismatch}, // partial is above 0.8, as for tasks
		{0.3, 0.95, slip, omnivibe.VerdictMismatch},
		{0.5, 0.5, ok, omnivibe.VerdictMatch},
		{0.5, 0.5, slip, omnivibe.VerdictPartial},
	} {
		if got := Verdict(tc.similarity, tc.threshold, tc.words); got != tc.want {
			t.Errorf("Verdict(%v, %v, %d slips): got %s, want %s", tc.similarity, tc.threshold, len(tc.words), got, tc.want)
		}
	}
}

func TestLooksLikeMP3(t *testing.T) {
	for _, tc := range []struct {
		name string
		data []byte
		want bool
	}{
		{"ID3 tag", []byte("ID3\x04\x00\x00\x00\x00\x00\x00"), true},
		{"MPEG-1 layer III, 128 kbit/s, 44.1 kHz", []byte{0xFF, 0xFB, 0x90, 0x64}, true},
		{"MPEG-2 layer III", []byte{0xFF, 0xF3, 0x40, 0xC4}, true},
		{"layer II", []byte{0xFF, 0xFD, 0x90, 0x64}, false},
		{"free bitrate", []byte{0xFF, 0xFB, 0x00, 0x64}, false},
		{"text", []byte("Welcome to our sale"), false},
		{"too short", []byte{0xFF, 0xFB}, false},
	} {
		if got := looksLikeMP3(tc.data); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestFlaggedSummary(t *testing.T) {
	ok := omnivibe.AudioWord{Word: "big", Status: speech.WordOK}
	for _, tc := range []struct {
		words []omnivibe.AudioWord
		want  string
	}{
		{[]omnivibe.AudioWord{ok, {Word: "four", Status: speech.WordSubstituted, Heard: "five"}},
			`1 word flagged: "four" heard as "five"`},
		{[]omnivibe.AudioWord{{Word: "sale", Status: speech.WordSubstituted}, ok, {Word: "now", Status: speech.WordMissing}, {Word: "uh", Status: speech.WordExtra}},
			`3 words flagged: "sale" said differently, "now" missing, extra "uh"`},
		{append([]omnivibe.AudioWord{ok}, slices.Repeat([]omnivibe.AudioWord{{Word: "x", Status: speech.WordMissing}}, 12)...),
			`12 words flagged: "x" missing, "x" missing, "x" missing, "x" missing, "x" missing, "x" missing, "x" missing, "x" missing, "x" missing, "x" missing, and 2 more`},
	} {
		n := 0
		for _, w := range tc.words {
			if w.Status != speech.WordOK {
				n++
			}
		}
		if got := flaggedSummary(tc.words, n); got != tc.want {
			t.Errorf("got %s\nwant %s", got, tc.want)
		}
	}
}
