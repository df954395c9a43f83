package client_test

import (
	"context"
	"strings"
	"testing"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/client"
	"github.com/omnivibepro/omnivibe/internal/config"
)

func TestHealthAndMetrics(t *testing.T) {
	ctx := context.Background()
	base := newAPIWith(t, func(c *config.Config) { c.MetricsToken = "scrape-token" }, nil)
	c := client.New(base, client.WithMetricsToken("scrape-token"))
	h, err := c.Health(ctx)
	if err != nil || h.Status != "ok" {
		t.Fatalf("Health = %+v, %v", h, err)
	}
	text, err := c.Metrics(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The metrics token goes to /metrics only, and /metrics needs it.
	if _, err := client.New(base).Metrics(ctx); !client.IsCode(err, omnivibe.CodeUnauthorized) {
		t.Fatalf("/metrics without the token: %v, want unauthorized", err)
	}
	if _, err := c.Me(ctx); !client.IsCode(err, omnivibe.CodeUnauthorized) {
		t.Fatalf("the metrics token was sent to the API: %v", err)
	}
	for _, name := range []string{"go_goroutines ", "process_resident_memory_bytes ", "process_open_fds "} {
		if !strings.Contains(text, "\n"+name) {
			t.Errorf("/metrics has no %q line", name)
		}
	}
}
