package app_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/client"
	"github.com/omnivibepro/omnivibe/internal/config"
	"github.com/omnivibepro/omnivibe/internal/speech"
)

// The tests of this file run the scaled-out deployment as it runs in
// production: API replicas that only enqueue (--workers 0) and separate
// `omnivibe worker` processes, all on one PostgreSQL database, one Redis
// and one shared audio directory. The replicas run in the test process;
// the workers are the real binary, built once, so a test can SIGKILL one.

// TestMain removes the binary the tests built, if any.
func TestMain(m *testing.M) {
	code := m.Run()
	omnivibeBinary.remove()
	os.Exit(code)
}

// builtBinary is cmd/omnivibe, built the first time a test needs it. It is
// built with -race when the tests are, which also lets the build reuse the
// packages the test binary was compiled from.
type builtBinary struct {
	once sync.Once
	dir  string
	path string
	err  error
}

var omnivibeBinary builtBinary

func (b *builtBinary) get(t testing.TB) string {
	t.Helper()
	b.once.Do(func() {
		b.dir, b.err = os.MkdirTemp("", "omnivibe-bin-")
		if b.err != nil {
			return
		}
		b.path = filepath.Join(b.dir, "omnivibe")
		args := []string{"build", "-o", b.path}
		if raceEnabled {
			args = append(args, "-race")
		}
		// `go test` puts its own toolchain first in PATH.
		out, err := exec.Command("go", append(args, "github.com/omnivibepro/omnivibe/cmd/omnivibe")...).CombinedOutput()
		if err != nil {
			b.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.path
}

func (b *builtBinary) remove() {
	if b.dir != "" {
		os.RemoveAll(b.dir)
	}
}

// clusterConfig is a replica's configuration in a scaled-out deployment
// of the test's own: PostgreSQL and Redis, no workers in the replica, an
// audio directory shared by every process, and a JWT secret given to every
// replica (each has its own data directory, so none can rely on the
// generated one). The voice is the synthetic one, which needs no engine.
func clusterConfig(t *testing.T) config.Config {
	t.Helper()
	cfg := scaledOut(t)
	cfg.Workers = 0
	cfg.AudioDir = t.TempDir()
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		t.Fatal(err)
	}
	cfg.JWTSecret = hex.EncodeToString(raw)
	cfg.TTS, cfg.STT = speech.ProviderSynthetic, "none"
	return cfg
}

// replicaOf is a copy of cfg with a data directory of its own.
func replicaOf(t *testing.T, cfg config.Config) config.Config {
	cfg.DataDir = t.TempDir()
	return cfg
}

// workerEnv is the environment of an `omnivibe worker` of the deployment
// of cfg, with extra settings appended (the last of a name wins).
func workerEnv(t *testing.T, cfg config.Config, extra ...string) []string {
	env := []string{
		"DATABASE_URL=" + cfg.DatabaseURL,
		"REDIS_URL=" + cfg.RedisURL,
		"OMNIVIBE_REDIS_PREFIX=" + cfg.RedisPrefix,
		"OMNIVIBE_DATA_DIR=" + t.TempDir(),
		"OMNIVIBE_AUDIO_DIR=" + cfg.AudioDir,
		"OMNIVIBE_JWT_SECRET=" + cfg.JWTSecret,
		"OMNIVIBE_TTS=" + cfg.TTS,
		"OMNIVIBE_STT=" + cfg.STT,
		"OMNIVIBE_WORKERS=2",
		"OMNIVIBE_LOG_FORMAT=json",
		"OMNIVIBE_LOG_LEVEL=info",
	}
	return append(env, extra...)
}

// workerProcess is an `omnivibe worker` child process.
type workerProcess struct {
	cmd    *exec.Cmd
	out    *syncBuffer
	exited chan struct{}
	err    error // Wait's result, once exited is closed
}

// startWorker starts `omnivibe worker` with env over this process's
// environment and waits until it says its workers run. The process is
// killed when the test ends; its log is shown if the test failed.
func startWorker(t *testing.T, name string, env []string) *workerProcess {
	t.Helper()
	cmd := exec.Command(omnivibeBinary.get(t), "worker")
	cmd.Env = append(os.Environ(), env...)
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w := &workerProcess{cmd: cmd, out: out, exited: make(chan struct{})}
	go func() {
		w.err = cmd.Wait()
		close(w.exited)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-w.exited
		if t.Failed() {
			t.Logf("%s's output:\n%s", name, out.String())
		}
	})
	deadline := time.After(2 * time.Minute)
	for !strings.Contains(out.String(), "omnivibe worker running") {
		select {
		case <-w.exited:
			t.Fatalf("%s exited before it ran: %v\n%s", name, w.err, out.String())
		case <-deadline:
			t.Fatalf("%s did not start within 2 minutes:\n%s", name, out.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	return w
}

// kill ends the worker with SIGKILL: nothing of it runs afterwards.
func (w *workerProcess) kill(t *testing.T) {
	t.Helper()
	if err := w.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-w.exited
}

// stop ends the worker with SIGTERM, as a deployment stops it, and returns
// how it exited (nil: status 0).
func (w *workerProcess) stop(t *testing.T) error {
	t.Helper()
	if err := w.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-w.exited:
		return w.err
	case <-time.After(time.Minute):
		return errors.New("still running a minute after SIGTERM")
	}
}

// syncBuffer is a bytes.Buffer the child's output may be copied into
// while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// fileInDir finds the file called name anywhere under dir.
func fileInDir(t *testing.T, dir, name string) []byte {
	t.Helper()
	var found []byte
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() != name {
			return err
		}
		found, err = os.ReadFile(path)
		return err
	})
	if err != nil || found == nil {
		t.Fatalf("%s is not under %s: %v", name, dir, err)
	}
	return found
}

// TestWorkerProcessRunsJobsOfEveryReplica: a voice-over requested through
// replica 1 waits queued (no replica works jobs), is done by a separate
// `omnivibe worker` process, and is downloaded through replica 2, which
// reads the file the worker wrote in the shared audio directory. Replica
// 2 also accepts the token replica 1 signed: they share the JWT secret.
func TestWorkerProcessRunsJobsOfEveryReplica(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := clusterConfig(t)
	base1, _ := replica(t, replicaOf(t, cfg))
	base2, _ := replica(t, replicaOf(t, cfg))

	one := client.New(base1)
	tokens, err := one.Register(ctx, omnivibe.Registration{Email: "worker@example.com", Password: "Passw0rd-ok", Name: "Owner"})
	if err != nil {
		t.Fatal(err)
	}
	two := client.New(base2, client.WithToken(tokens.AccessToken))

	acc, err := one.GenerateAudio(ctx, omnivibe.AudioRequest{Text: "A worker in another process says this.", Language: "en"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if task, err := two.AudioStatus(ctx, acc.TaskID); err != nil || task.Status != omnivibe.AudioQueued {
		t.Fatalf("before any worker runs: %+v, %v; want queued", task, err)
	}

	w := startWorker(t, "worker", workerEnv(t, cfg))
	task := wait(t, two, acc.TaskID)
	if task.Status != omnivibe.AudioSucceeded || task.AudioURL == nil || !task.Synthetic || task.Synthesizer != speech.ProviderSynthetic {
		t.Fatalf("task after the worker ran: %+v", task)
	}
	file, err := two.DownloadAudio(ctx, acc.TaskID, "")
	if err != nil || file.Status != 200 || file.ContentType != "audio/wav" {
		t.Fatalf("download through replica 2: %v, %+v", err, file.ContentType)
	}
	if wav, err := speech.DecodeWAV(file.Data); err != nil || wav.Duration() <= 0 {
		t.Fatalf("downloaded audio: %v", err)
	}
	if onDisk := fileInDir(t, cfg.AudioDir, acc.TaskID+".wav"); !bytes.Equal(onDisk, file.Data) {
		t.Fatalf("replica 2 served %d bytes, the shared directory holds %d", len(file.Data), len(onDisk))
	}

	// With the worker listening, how long a task waits to start (the
	// replica's created_at to the worker's started_at; one clock, one
	// machine). Logged, not asserted: BenchmarkPickupPostgres measures it.
	var pickups []time.Duration
	for i := range 5 {
		time.Sleep(100 * time.Millisecond) // past River's notification cooldown
		acc, err := one.GenerateAudio(ctx, omnivibe.AudioRequest{Text: fmt.Sprintf("Pickup number %d.", i+1), Language: "en"}, "")
		if err != nil {
			t.Fatal(err)
		}
		task := wait(t, two, acc.TaskID)
		if task.Status != omnivibe.AudioSucceeded || task.StartedAt == nil {
			t.Fatalf("task %d: %+v", i, task)
		}
		pickups = append(pickups, task.StartedAt.Sub(task.CreatedAt))
	}
	slices.Sort(pickups)
	t.Logf("enqueue to running through another process: min %s, median %s, max %s",
		pickups[0].Round(time.Microsecond), pickups[len(pickups)/2].Round(time.Microsecond), pickups[len(pickups)-1].Round(time.Microsecond))

	if err := w.stop(t); err != nil {
		t.Fatalf("the worker did not stop cleanly on SIGTERM: %v", err)
	}
}

// TestKilledWorkerLosesNothing kills a worker process with SIGKILL while it
// synthesizes a voice-over (the hosted voice, a local fake, holds the
// first request), and starts another: the job is rescued once it has been
// running longer than OMNIVIBE_JOB_RESCUE_AFTER (the new process must first
// take over River's leadership, which the dead one held), runs again in
// the second process, and the task succeeds.
func TestKilledWorkerLosesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFakeOpenAISpeech(t, "nothing is lost when a worker dies")
	f.block = make(chan struct{})
	cfg := clusterConfig(t)
	hosted(f)(&cfg)
	base, _ := replica(t, cfg)
	c := client.New(base)
	if _, err := c.Register(ctx, omnivibe.Registration{Email: "killed@example.com", Password: "Passw0rd-ok", Name: "Owner"}); err != nil {
		t.Fatal(err)
	}
	// The job timeout is far longer than the kill takes, so the first run
	// can only end by the kill; rescue comes 2 s after the timeout.
	env := workerEnv(t, cfg, "OPENAI_API_KEY=sk-test", "OMNIVIBE_SPEECH_BASE_URL="+f.URL,
		"OMNIVIBE_WORKERS=1", "OMNIVIBE_JOB_TIMEOUT=10s", "OMNIVIBE_JOB_RESCUE_AFTER=12s")
	first := startWorker(t, "worker 1", env)

	acc, err := c.GenerateAudio(ctx, omnivibe.AudioRequest{Text: "Nothing is lost when a worker dies.", Language: "en"}, "")
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Minute)
	for f.speechCalls.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if task, err := c.AudioStatus(ctx, acc.TaskID); err != nil || task.Status != omnivibe.AudioRunning || f.speechCalls.Load() != 1 {
		t.Fatalf("before the kill: %+v, %v (speech calls %d)", task, err, f.speechCalls.Load())
	}
	first.kill(t)
	close(f.block) // the voice answers from now on
	killed := time.Now()

	startWorker(t, "worker 2", env)
	wctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	task, err := c.WaitAudio(wctx, acc.TaskID, 100*time.Millisecond)
	if err != nil || task.Status != omnivibe.AudioSucceeded || task.AudioURL == nil {
		t.Fatalf("after the kill: %+v, %v", task, err)
	}
	if _, err := c.DownloadAudio(ctx, acc.TaskID, ""); err != nil {
		t.Fatal(err)
	}

	// River's record of the job: two attempts by two different processes,
	// the first ended by the rescuer. The worker marks the job completed
	// just after the task (in batches), so the row may lag a moment.
	conn, err := pgx.Connect(ctx, cfg.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var state, firstError string
	var attempt int
	var attemptedBy []string
	for range 300 {
		err = conn.QueryRow(ctx, `SELECT state, attempt, attempted_by, coalesce(errors[1]->>'error', '')
			FROM river_job WHERE kind = 'audio'`).Scan(&state, &attempt, &attemptedBy, &firstError)
		if err != nil {
			t.Fatal(err)
		}
		if state != "running" {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if state != "completed" || attempt != 2 || len(attemptedBy) != 2 || attemptedBy[0] == attemptedBy[1] || !strings.Contains(firstError, "rescued") {
		t.Fatalf("river job: state %s, attempt %d by %v, first error %q", state, attempt, attemptedBy, firstError)
	}
	t.Logf("task %s succeeded %s after its worker was killed (speech calls %d; attempts by %v)",
		acc.TaskID, time.Since(killed).Round(100*time.Millisecond), f.speechCalls.Load(), attemptedBy)
}

// TestQuotaHoldsUnderConcurrentRequestsOnTwoReplicas sends twice the free
// plan's monthly scripts at once, half through each replica: exactly the
// quota succeeds, every other request is refused with quota_exceeded, and
// the usage both replicas report is the quota. PostgreSQL's conditional
// upsert (AddUsage) is what makes this hold; nothing in a replica does.
func TestQuotaHoldsUnderConcurrentRequestsOnTwoReplicas(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	replicas := ownerOnTwoReplicas(t, "race@example.com")
	free, _ := omnivibe.PlanByID(omnivibe.PlanFree)
	limit := *free.Quotas.Scripts

	var wg sync.WaitGroup
	errs := make([]error, 2*limit)
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = replicas[i%2].GenerateScript(ctx, omnivibe.ScriptRequest{Topic: fmt.Sprintf("concurrent topic %d", i), Platform: "youtube"})
		})
	}
	wg.Wait()
	ok := 0
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
		case !client.IsCode(err, omnivibe.CodeQuotaExceeded):
			t.Errorf("request %d: %v", i, err)
		}
	}
	if ok != limit {
		t.Fatalf("%d scripts written with a quota of %d", ok, limit)
	}
	for i, c := range replicas {
		u, err := c.Usage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := u.Used.Scripts; got != limit {
			t.Fatalf("replica %d reports %d scripts used, want %d", i+1, got, limit)
		}
	}
}
