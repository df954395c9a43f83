package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/client"
	"github.com/omnivibepro/omnivibe/internal/sqlite"
)

// TestBackupWhileServing runs `omnivibe backup` against a running server's
// data directory and opens the copy.
func TestBackupWhileServing(t *testing.T) {
	ctx := t.Context()
	dataDir := t.TempDir()
	srv := startServer(t, dataDir)
	c := client.New(srv.base)
	if _, err := c.Register(ctx, omnivibe.Registration{Email: "backed-up@agency.example", Password: e2ePassword, Name: "B"}); err != nil {
		t.Fatal(err)
	}
	cl, err := c.CreateClient(ctx, omnivibe.ClientInput{Name: omnivibe.Some("Kept client")})
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"OMNIVIBE_DATA_DIR": dataDir}
	file := filepath.Join(t.TempDir(), "copy.db")
	var stdout, stderr bytes.Buffer
	if code := run(ctx, []string{"omnivibe", "backup", file}, func(k string) string { return env[k] }, &stdout, &stderr); code != 0 {
		t.Fatalf("backup exited %d: %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "integrity check ok") {
		t.Fatalf("backup said %q", stdout.String())
	}
	// The server still serves and writes after the copy.
	if _, err := c.CreateClient(ctx, omnivibe.ClientInput{Name: omnivibe.Some("After the backup")}); err != nil {
		t.Fatal(err)
	}
	copyStore, err := sqlite.Open(ctx, file, sqlite.Options{CheckpointEvery: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer copyStore.Close()
	u, err := copyStore.UserByEmail(ctx, "backed-up@agency.example")
	if err != nil {
		t.Fatalf("the backup lacks the user: %v", err)
	}
	if got, err := copyStore.ClientByID(ctx, u.AccountID, cl.ID); err != nil || got.Name != "Kept client" {
		t.Fatalf("the backup's client = %+v, %v", got, err)
	}
	// A second backup to the same file is refused: a backup never overwrites.
	if code := run(ctx, []string{"omnivibe", "backup", file}, func(k string) string { return env[k] }, &stdout, &stderr); code != 1 {
		t.Fatalf("backup over an existing file exited %d, want 1", code)
	}
	if code := run(ctx, []string{"omnivibe", "backup"}, func(k string) string { return env[k] }, &stdout, &stderr); code != 2 {
		t.Fatalf("backup without a file exited %d, want 2", code)
	}
}

// TestOversizedHeaders sends more header bytes than the server accepts: the
// server answers 431 before any handler runs.
func TestOversizedHeaders(t *testing.T) {
	srv := startServer(t, t.TempDir())
	conn, err := net.Dial("tcp", srv.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET /api/v1/campaigns HTTP/1.1\r\nHost: %s\r\nX-Padding: %s\r\n\r\n", srv.addr, strings.Repeat("A", 200<<10))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("200 KiB of headers: %d, want 431", res.StatusCode)
	}
	// Many headers that add up past the limit are refused the same way.
	conn2, err := net.Dial("tcp", srv.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn2.Close()
	var b strings.Builder
	fmt.Fprintf(&b, "GET /healthz HTTP/1.1\r\nHost: %s\r\n", srv.addr)
	for i := 0; i < 4000; i++ {
		fmt.Fprintf(&b, "X-H%d: %s\r\n", i, strings.Repeat("v", 30))
	}
	b.WriteString("\r\n")
	conn2.Write([]byte(b.String()))
	res, err = http.ReadResponse(bufio.NewReader(conn2), nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("4000 headers: %d, want 431", res.StatusCode)
	}
	// The server is still up.
	if err := client.New(srv.base).Readyz(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestSideListeners: with OMNIVIBE_METRICS_ADDR and OMNIVIBE_PPROF_ADDR,
// /metrics and the profiler answer on their own addresses, and never on the
// API's.
func TestSideListeners(t *testing.T) {
	freeAddr := func() string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		return ln.Addr().String()
	}
	metricsAddr, pprofAddr := freeAddr(), freeAddr()
	srv := startServerWith(t, t.TempDir(), map[string]string{"OMNIVIBE_METRICS_ADDR": metricsAddr, "OMNIVIBE_PPROF_ADDR": pprofAddr})
	get := func(url string) (int, string) {
		t.Helper()
		res, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(body)
	}
	for _, tc := range []struct{ url, want string }{
		{"http://" + metricsAddr + "/metrics", "go_goroutines"},
		{"http://" + pprofAddr + "/debug/pprof/", "goroutine"},
		{"http://" + pprofAddr + "/debug/pprof/goroutine?debug=1", "goroutine profile"},
	} {
		if code, body := get(tc.url); code != http.StatusOK || !strings.Contains(body, tc.want) {
			t.Errorf("%s: %d %.200q, want 200 with %q", tc.url, code, body, tc.want)
		}
	}
	for _, path := range []string{"/metrics", "/debug/pprof/"} {
		if code, _ := get(srv.base + path); code != http.StatusNotFound {
			t.Errorf("the API's address answered %s with %d, want 404", path, code)
		}
	}
}
