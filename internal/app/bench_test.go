package app_test

import (
	"bytes"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/omnivibepro/omnivibe/internal/config"
)

// BenchmarkGenerateAudio measures accepting a voice-over (validation, quota,
// the task row and its River job in one transaction) over real connections,
// with no workers, spread over 50 accounts:
//
//	go test -run '^$' -bench GenerateAudio -cpuprofile cpu.out ./internal/app
func BenchmarkGenerateAudio(b *testing.B) {
	t := &testing.T{}
	fake := newFakeOpenAISpeech(t, "x")
	s := start(t, func(c *config.Config) {
		hosted(fake)(c)
		c.Workers = 0
	})
	var tokens []string
	for i := 0; i < 50; i++ {
		c := owner(t, s, "pro")
		tok, _ := c.Tokens()
		tokens = append(tokens, tok)
	}
	var n atomic.Int64
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			body := fmt.Sprintf(`{"text":"안녕하세요, 테스트 오디오입니다. %d","voice_id":"default","language":"ko"}`, i)
			req, _ := http.NewRequest("POST", s.base+"/api/v1/audio/generate", bytes.NewBufferString(body))
			req.Header.Set("Authorization", "Bearer "+tokens[int(i)%len(tokens)])
			req.Header.Set("Content-Type", "application/json")
			res, err := hc.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != 202 && res.StatusCode != 429 {
				b.Fatalf("status %d", res.StatusCode)
			}
		}
	})
}
