package writer

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"
)

// BenchmarkLocalWrite measures the local writer end to end (normalizing, writing and
// timing) over a mix of languages, tones, platforms and durations, and reports the
// median and 99th percentile of the per-script latency:
//
//	go test -run '^$' -bench BenchmarkLocalWrite -benchtime 20000x ./internal/writer
func BenchmarkLocalWrite(b *testing.B) {
	w := newLocalWriter(b)
	var reqs []Request
	for i, lang := range allLanguages {
		for j, tone := range allTones {
			for k, platform := range allPlatforms {
				for _, d := range []int{15, 60, 180, 600} {
					reqs = append(reqs, Request{
						Topic:          fmt.Sprintf("%s %d", topics[lang], i*100+j*10+k),
						Platform:       platform,
						Tone:           tone,
						Language:       lang,
						Audience:       "",
						TargetDuration: d,
					})
				}
			}
		}
	}
	ctx := context.Background()
	durations := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		if _, err := w.Write(ctx, reqs[i%len(reqs)]); err != nil {
			b.Fatal(err)
		}
		durations = append(durations, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(durations)
	percentile := func(p float64) float64 {
		return float64(durations[int(p*float64(len(durations)-1))].Microseconds())
	}
	b.ReportMetric(percentile(0.50), "p50-µs")
	b.ReportMetric(percentile(0.99), "p99-µs")
	b.ReportMetric(float64(durations[len(durations)-1].Microseconds()), "max-µs")
}

func BenchmarkEstimate(b *testing.B) {
	text := writeLocalScript(b, newLocalWriter(b), Request{Topic: "홈카페", Language: "ko", TargetDuration: 600}).Body
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		Estimate(text, "ko")
	}
}
