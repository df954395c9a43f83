package loadtest

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// trivialServerEnv makes the test binary serve trivialHandler on the address it
// holds instead of running tests: the benchmarks start the server under test in
// a separate process this way, so it does not share the generator's scheduler
// and heap, and wrk can be pointed at the very same server:
//
//	go test -c -o /tmp/loadtest.test ./internal/loadtest
//	OMNIVIBE_LOADTEST_TRIVIAL_SERVER=127.0.0.1:18080 /tmp/loadtest.test &
//	wrk -t2 -c64 -d10s http://127.0.0.1:18080/api/v1/campaigns
const trivialServerEnv = "OMNIVIBE_LOADTEST_TRIVIAL_SERVER"

// contractServerEnv makes the test binary serve the fake contract API (see
// contract_server_test.go) on the address it holds, logging every rejected
// request to stderr: a strict server to run loadtest/locustfile.py against.
// OMNIVIBE_LOADTEST_CONTRACT_SERVER_TOKEN_LIFE (a duration) shortens the access
// tokens' 30 minutes, to exercise token refresh.
const contractServerEnv = "OMNIVIBE_LOADTEST_CONTRACT_SERVER"

// benchHostEnv points the benchmarks at a server that is already running.
const benchHostEnv = "OMNIVIBE_LOADTEST_BENCH_HOST"

func TestMain(m *testing.M) {
	if addr := os.Getenv(trivialServerEnv); addr != "" {
		os.Exit(serveTrivial(addr, http.HandlerFunc(trivialHandler)))
	}
	if addr := os.Getenv(contractServerEnv); addr != "" {
		api := newContractAPI()
		api.logRejections = os.Stderr
		if d, err := time.ParseDuration(os.Getenv(contractServerEnv + "_TOKEN_LIFE")); err == nil {
			api.tokenLife = d
		}
		os.Exit(serveTrivial(addr, api.handler()))
	}
	os.Exit(m.Run())
}

// serveTrivial serves h until the process is stopped. It prints the base URL on
// its first line so a parent process can find a port chosen by ":0".
func serveTrivial(addr string, h http.Handler) int {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Printf("http://%s\n", l.Addr())
	if err := http.Serve(l, h); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// trivialServerProcess returns the base URL of a trivial server in another
// process: the one named by OMNIVIBE_LOADTEST_BENCH_HOST, or a child started
// from this test binary and stopped when the benchmark ends.
func trivialServerProcess(b *testing.B) string {
	if host := os.Getenv(benchHostEnv); host != "" {
		return host
	}
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), trivialServerEnv+"=127.0.0.1:0")
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		b.Fatalf("trivial server did not start: %v", err)
	}
	return strings.TrimSpace(line)
}

// benchDuration is each load benchmark's run time (OMNIVIBE_LOADTEST_BENCH_SECONDS,
// default 5).
func benchDuration() time.Duration {
	if s, err := strconv.ParseFloat(os.Getenv("OMNIVIBE_LOADTEST_BENCH_SECONDS"), 64); err == nil && s > 0 {
		return time.Duration(s * float64(time.Second))
	}
	return 5 * time.Second
}

func reportRun(b *testing.B, res *Result) {
	b.ReportMetric(float64(res.Total.Requests)/res.Duration().Seconds(), "req/s")
	b.ReportMetric(float64(res.Total.Percentile(50))/1e6, "p50-ms")
	b.ReportMetric(float64(res.Total.Percentile(99))/1e6, "p99-ms")
	b.ReportMetric(float64(res.Total.Failures), "failures")
	if res.Schedule != nil {
		b.ReportMetric(float64(res.Schedule.LagP99)/1e6, "lag-p99-ms")
		b.ReportMetric(float64(res.Schedule.LateStarts), "late-starts")
	}
	if res.Total.Failures > 0 {
		b.Errorf("failures:%s", describeFailures(res))
	}
}

// BenchmarkClosedNoWait saturates a trivial server in another process with the
// full scenario, 64 users without think time. Each iteration is one run; the
// figure of merit is req/s.
func BenchmarkClosedNoWait(b *testing.B) {
	host := trivialServerProcess(b)
	for b.Loop() {
		opts := DefaultOptions()
		opts.Hosts = []string{host}
		opts.Users = 64
		opts.SpawnRate = 10000
		opts.RunTime = benchDuration()
		opts.NoWait = true
		res, err := Run(context.Background(), opts, nil)
		if err != nil {
			b.Fatal(err)
		}
		reportRun(b, res)
	}
}

// BenchmarkOpenRate asks for OMNIVIBE_LOADTEST_BENCH_RATE requests per second
// (default 35,000) on the open model's schedule; req/s below it, start lag or
// delayed starts mean the generator could not keep up.
func BenchmarkOpenRate(b *testing.B) {
	host := trivialServerProcess(b)
	rate := 35000.0
	if v, err := strconv.ParseFloat(os.Getenv("OMNIVIBE_LOADTEST_BENCH_RATE"), 64); err == nil && v > 0 {
		rate = v
	}
	for b.Loop() {
		opts := DefaultOptions()
		opts.Hosts = []string{host}
		opts.Users = 100
		opts.SpawnRate = 10000
		opts.RunTime = benchDuration()
		opts.Rate = rate
		res, err := Run(context.Background(), opts, nil)
		if err != nil {
			b.Fatal(err)
		}
		reportRun(b, res)
		if res.Schedule != nil {
			b.ReportMetric(res.Schedule.AchievedRPS, "scheduled/s")
		}
	}
}

// BenchmarkRecord is the cost of recording one request from many goroutines.
func BenchmarkRecord(b *testing.B) {
	rec := newRecorder(8)
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			rec.record(i, endpointID(i%int(numEndpoints)), time.Duration(i%5000)*time.Microsecond, 120, "", -1)
			i++
		}
	})
}
