package config

import (
	"strings"
	"testing"
	"time"
)

func TestOperationsDefaults(t *testing.T) {
	c, err := load(t, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Metrics || c.MetricsAddr != "" || !c.AccessLog || c.OTLPEndpoint != "" || c.TraceSampleRatio != 1 ||
		c.RateLimitIP != 20 || c.RateLimitIPBurst != 200 || c.RateLimitCredential != 50000 ||
		c.LoginFailuresPerEmailAddress != 5 || c.LoginFailuresEmailAddressWindow != time.Hour ||
		c.LoginFailuresPerEmail != 200 || c.LoginFailuresEmailWindow != 24*time.Hour ||
		c.LoginFailuresPerIP != 50 || c.LoginFailuresWindow != 15*time.Minute ||
		c.BackupKeep != 7 || c.BackupAt != "03:00" || c.PprofAddr != "" {
		t.Fatalf("defaults: %+v", c)
	}
	if at, _ := c.BackupTime(); at != 3*time.Hour {
		t.Fatalf("backup time %v, want 3h", at)
	}
}

func TestOperationsFromEnvironmentAndFlags(t *testing.T) {
	env := map[string]string{
		"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318", "OTEL_TRACES_SAMPLER_ARG": "0.1",
		"OTEL_EXPORTER_OTLP_HEADERS": "Authorization=Bearer%20x", "OMNIVIBE_METRICS_TOKEN": " scrape-secret ",
		"OMNIVIBE_RATE_LIMIT_IP": "0", "OMNIVIBE_BACKUP_AT": "23:45",
	}
	c, err := load(t, []string{"--metrics=false", "--metrics-addr", "127.0.0.1:9090", "--rate-limit-credential", "100", "--pprof-addr", "[::1]:6060"}, env)
	if err != nil {
		t.Fatal(err)
	}
	if c.Metrics || c.MetricsAddr != "127.0.0.1:9090" || c.MetricsToken != "scrape-secret" || c.OTLPEndpoint != "http://collector:4318" ||
		c.TraceSampleRatio != 0.1 || c.OTLPHeaders != "Authorization=Bearer%20x" || c.RateLimitIP != 0 || c.RateLimitCredential != 100 ||
		c.PprofAddr != "[::1]:6060" {
		t.Fatalf("got %+v", c)
	}
	if at, _ := c.BackupTime(); at != 23*time.Hour+45*time.Minute {
		t.Fatalf("backup time %v", at)
	}
}

func TestOperationsValidation(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"OTEL_TRACES_SAMPLER_ARG": "1.5"}, "OTEL_TRACES_SAMPLER_ARG"},
		{map[string]string{"OTEL_TRACES_SAMPLER_ARG": "half"}, "OTEL_TRACES_SAMPLER_ARG"},
		{map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "collector:4318"}, "OTEL_EXPORTER_OTLP_ENDPOINT"},
		{map[string]string{"OMNIVIBE_RATE_LIMIT_IP": "-1"}, "OMNIVIBE_RATE_LIMIT_IP"},
		{map[string]string{"OMNIVIBE_RATE_LIMIT_CREDENTIAL_BURST": "0"}, "OMNIVIBE_RATE_LIMIT_CREDENTIAL"},
		{map[string]string{"OMNIVIBE_LOGIN_FAILURES_WINDOW": "0s"}, "OMNIVIBE_LOGIN_FAILURES_WINDOW"},
		{map[string]string{"OMNIVIBE_LOGIN_FAILURES_EMAIL_ADDRESS_WINDOW": "0s"}, "OMNIVIBE_LOGIN_FAILURES_EMAIL_ADDRESS_WINDOW"},
		{map[string]string{"OMNIVIBE_LOGIN_FAILURES_EMAIL_WINDOW": "-1h"}, "OMNIVIBE_LOGIN_FAILURES_EMAIL_WINDOW"},
		{map[string]string{"OMNIVIBE_LOGIN_FAILURES_PER_EMAIL_ADDRESS": "-1"}, "OMNIVIBE_LOGIN_FAILURES_PER_"},
		{map[string]string{"OMNIVIBE_BACKUP_KEEP": "-2"}, "OMNIVIBE_BACKUP_KEEP"},
		{map[string]string{"OMNIVIBE_BACKUP_AT": "3am"}, "OMNIVIBE_BACKUP_AT"},
		{map[string]string{"OMNIVIBE_PPROF_ADDR": ":6060"}, "OMNIVIBE_PPROF_ADDR"},
		{map[string]string{"OMNIVIBE_PPROF_ADDR": "0.0.0.0:6060"}, "OMNIVIBE_PPROF_ADDR"},
		{map[string]string{"OMNIVIBE_PPROF_ADDR": "10.0.0.5:6060"}, "OMNIVIBE_PPROF_ADDR"},
		{map[string]string{"OMNIVIBE_PPROF_ADDR": "localhost"}, "OMNIVIBE_PPROF_ADDR"},
	} {
		_, err := load(t, nil, tc.env)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: got %v, want an error naming %s", tc.env, err, tc.want)
		}
	}
}
