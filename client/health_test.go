package client_test

import (
	"context"
	"strings"
	"testing"

	"github.com/omnivibepro/omnivibe/client"
)

func TestHealthAndMetrics(t *testing.T) {
	ctx := context.Background()
	c := client.New(newAPI(t, nil))
	h, err := c.Health(ctx)
	if err != nil || h.Status != "ok" {
		t.Fatalf("Health = %+v, %v", h, err)
	}
	text, err := c.Metrics(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"go_goroutines ", "process_resident_memory_bytes ", "process_open_fds "} {
		if !strings.Contains(text, "\n"+name) {
			t.Errorf("/metrics has no %q line", name)
		}
	}
}
