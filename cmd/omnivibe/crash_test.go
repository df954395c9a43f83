package main

import (
	"bufio"
	"context"

	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/client"
)

// TestMain lets a test run this very binary as `omnivibe serve` in a child
// process, which the test can then kill -9.
func TestMain(m *testing.M) {
	if os.Getenv("OMNIVIBE_TEST_CHILD") == "serve" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := run(ctx, []string{"omnivibe", "serve"}, os.Getenv, os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// child is `omnivibe serve` in another process.
type child struct {
	cmd  *exec.Cmd
	base string
}

func startChild(t *testing.T, env []string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), append(env, "OMNIVIBE_TEST_CHILD=serve", "OMNIVIBE_ADDR=127.0.0.1:0")...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = io.Discard
	if testing.Verbose() {
		cmd.Stderr = os.Stderr
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("child did not start: %v", err)
	}
	addr, _, _ := strings.Cut(strings.TrimPrefix(line, "omnivibe listening on http://"), " ")
	go io.Copy(io.Discard, out)
	return &child{cmd: cmd, base: addr}
}

// hangingSpeech is an OpenAI-compatible speech provider (the far side of the
// network, mocked) whose first synthesis call hangs until release is called or
// its caller goes away; every later call answers at once.
type hangingSpeech struct {
	url          string
	calls        atomic.Int32
	synthesizing chan struct{} // closed when the first call arrives
	release      func()
}

func newHangingSpeech(t *testing.T, transcript string) *hangingSpeech {
	h := &hangingSpeech{synthesizing: make(chan struct{})}
	released := make(chan struct{})
	h.release = sync.OnceFunc(func() { close(released) })
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/audio/speech":
			if h.calls.Add(1) == 1 {
				close(h.synthesizing)
				select {
				case <-released:
				case <-r.Context().Done():
					return
				}
			}
			w.Header().Set("Content-Type", "audio/wav")
			w.Write(silentWAV())
		case "/v1/audio/transcriptions":
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"text":"`+transcript+`"}`)
		}
	}))
	// Cleanups run last in, first out: release the hanging call, or Close
	// would wait for it.
	t.Cleanup(srv.Close)
	t.Cleanup(h.release)
	h.url = srv.URL
	return h
}

// startJob starts `omnivibe serve` with the speech provider and one worker,
// registers, submits text and waits until its job is synthesizing.
func startJob(t *testing.T, speech *hangingSpeech, text string, env ...string) (first *child, childEnv []string, taskID string) {
	t.Helper()
	env = append([]string{
		"OMNIVIBE_DATA_DIR=" + t.TempDir(), "OMNIVIBE_PASSWORD_COST=4", "OMNIVIBE_PASSWORD_HASH=bcrypt", "OMNIVIBE_LOG_LEVEL=warn",
		"OMNIVIBE_TTS=openai", "OMNIVIBE_STT=openai", "OPENAI_API_KEY=sk-test", "OMNIVIBE_SPEECH_BASE_URL=" + speech.url,
		"OMNIVIBE_WORKERS=1",
	}, env...)
	first = startChild(t, env)
	ctx := context.Background()
	c := client.New("http://" + first.base)
	if _, err := c.Register(ctx, omnivibe.Registration{Email: "crash@example.com", Password: "Passw0rd!", Name: "Crash"}); err != nil {
		t.Fatal(err)
	}
	acc, err := c.GenerateAudio(ctx, omnivibe.AudioRequest{Text: text, Language: "en"}, "")
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-speech.synthesizing:
	case <-time.After(30 * time.Second):
		t.Fatal("the job never reached the synthesizer")
	}
	if task, err := c.AudioStatus(ctx, acc.TaskID); err != nil || task.Status != omnivibe.AudioRunning {
		t.Fatalf("while synthesizing: %+v, %v", task, err)
	}
	return first, env, acc.TaskID
}

// restart starts `omnivibe serve` again on the same data and signs in.
func restart(t *testing.T, env []string) *client.Client {
	t.Helper()
	second := startChild(t, env)
	c := client.New("http://" + second.base)
	if _, err := c.Login(context.Background(), "crash@example.com", "Passw0rd!"); err != nil {
		t.Fatal(err)
	}
	return c
}

// restartAndWait restarts the server and waits for the task to finish there.
func restartAndWait(t *testing.T, env []string, taskID string) (*client.Client, omnivibe.AudioTask) {
	t.Helper()
	c := restart(t, env)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	task, err := c.WaitAudio(ctx, taskID, 200*time.Millisecond)
	if err != nil {
		t.Fatalf("after the restart the task did not finish: %+v, %v", task, err)
	}
	return c, task
}

// waitExit waits for the child to exit and returns its error.
func waitExit(t *testing.T, ch *child, within time.Duration) error {
	t.Helper()
	exited := make(chan error, 1)
	go func() { exited <- ch.cmd.Wait() }()
	select {
	case err := <-exited:
		return err
	case <-time.After(within):
		t.Fatalf("the server did not exit within %s", within)
		return nil
	}
}

// TestKilledMidJob kills the server with SIGKILL while a voice-over is being
// synthesized, starts it again on the same data, and checks that the job runs
// again at once (the restarted server is the only worker, so the job is an
// orphan, not a slow job) and completes.
func TestKilledMidJob(t *testing.T) {
	speech := newHangingSpeech(t, "the job survives a crash")
	first, env, taskID := startJob(t, speech, "The job survives a crash") // the default rescue time: 11 minutes
	if err := first.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = first.cmd.Wait()

	c, task := restartAndWait(t, env, taskID)
	if task.Status != omnivibe.AudioSucceeded || task.AudioURL == nil || speech.calls.Load() < 2 {
		t.Fatalf("after the restart: %+v (speech calls %d)", task, speech.calls.Load())
	}
	if _, err := c.DownloadAudio(context.Background(), taskID, ""); err != nil {
		t.Fatal(err)
	}
	t.Logf("task %s ran again after SIGKILL and %s (%d speech calls)", taskID, task.Status, speech.calls.Load())
}

// TestTerminatedMidJob sends SIGTERM while a voice-over is being synthesized:
// the server stops taking requests but lets the running job finish (within
// the shutdown timeout) before it exits, so a rolling restart neither cancels
// the work nor leaves it to be done again.
func TestTerminatedMidJob(t *testing.T) {
	speech := newHangingSpeech(t, "the job finishes before the exit")
	first, env, taskID := startJob(t, speech, "The job finishes before the exit", "OMNIVIBE_SHUTDOWN_TIMEOUT=30s")
	if err := first.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- first.cmd.Wait() }()
	select {
	case err := <-exited:
		t.Fatalf("the server exited (%v) while its job was still running", err)
	case <-time.After(500 * time.Millisecond):
	}
	speech.release()
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("the server did not exit cleanly: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not exit after its job finished")
	}

	c := restart(t, env)
	task, err := c.AudioStatus(context.Background(), taskID)
	if err != nil {
		t.Fatal(err)
	}
	if task.Status != omnivibe.AudioSucceeded || task.Attempts != 1 || speech.calls.Load() != 1 {
		t.Fatalf("after SIGTERM the task is %s after %d attempt(s) and %d synthesis call(s); want succeeded, done once",
			task.Status, task.Attempts, speech.calls.Load())
	}
	if _, err := c.DownloadAudio(context.Background(), taskID, ""); err != nil {
		t.Fatal(err)
	}
}

// TestTerminatedPastTheShutdownTimeout: a job still running when the shutdown
// timeout ends is cancelled, the server exits, and after the restart the job
// runs again and completes.
func TestTerminatedPastTheShutdownTimeout(t *testing.T) {
	speech := newHangingSpeech(t, "the job outlives the timeout")
	first, env, taskID := startJob(t, speech, "The job outlives the timeout", "OMNIVIBE_SHUTDOWN_TIMEOUT=1s")
	if err := first.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := waitExit(t, first, 30*time.Second); err != nil {
		t.Fatalf("the server did not exit cleanly: %v", err)
	}

	_, task := restartAndWait(t, env, taskID)
	if task.Status != omnivibe.AudioSucceeded || speech.calls.Load() != 2 {
		t.Fatalf("after the restart: %s (speech calls %d; want succeeded, the second call)", task.Status, speech.calls.Load())
	}
}

// silentWAV is a short mono 16 kHz WAV.
func silentWAV() []byte {
	const frames = 8000
	b := make([]byte, 44+2*frames)
	copy(b, "RIFF")
	put32(b[4:], 36+2*frames)
	copy(b[8:], "WAVEfmt ")
	put32(b[16:], 16)
	b[20], b[22] = 1, 1
	put32(b[24:], 16000)
	put32(b[28:], 32000)
	b[32], b[34] = 2, 16
	copy(b[36:], "data")
	put32(b[40:], 2*frames)
	return b
}

func put32(b []byte, v uint32) {
	b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
}
