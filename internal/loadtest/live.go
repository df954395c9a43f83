package loadtest

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// liveView prints the once-a-second progress line. On a terminal it redraws one
// line with a progress bar; elsewhere (a CI log, a file) it prints plain lines.
type liveView struct {
	mu    sync.Mutex // the resource lines are printed from another goroutine
	w     io.Writer
	tty   bool
	opts  Options
	start time.Time
	drawn bool
}

func newLiveView(w io.Writer, opts Options, start time.Time) *liveView {
	return &liveView{w: w, tty: isTerminal(w), opts: opts, start: start}
}

// isTerminal reports whether w is a character device such as a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func (v *liveView) update(p HistoryPoint, ph phase) {
	if v.w == nil {
		return
	}
	line := v.line(p, ph)
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.tty {
		fmt.Fprintf(v.w, "\r\x1b[K%s", line)
		v.drawn = true
		return
	}
	fmt.Fprintln(v.w, line)
}

func (v *liveView) line(p HistoryPoint, ph phase) string {
	var b strings.Builder
	elapsed := p.Elapsed.Truncate(time.Second)
	switch {
	case ph.spawning && v.opts.Rate > 0:
		v.progress(&b, "provisioning", float64(ph.started)/float64(v.opts.Users))
		fmt.Fprintf(&b, " %d/%d accounts | %s", ph.started, v.opts.Users, elapsed)
	case ph.spawning:
		v.progress(&b, "spawning", float64(ph.started)/float64(v.opts.Users))
		fmt.Fprintf(&b, " %d/%d users | %s", ph.started, v.opts.Users, elapsed)
	default:
		v.progress(&b, "running", p.Elapsed.Seconds()/v.opts.RunTime.Seconds())
		fmt.Fprintf(&b, " %s/%s", elapsed, v.opts.RunTime)
		if v.opts.Rate > 0 {
			fmt.Fprintf(&b, " | rate %g/s in flight %d", v.opts.Rate, p.InFlight)
		} else {
			fmt.Fprintf(&b, " | users %d", ph.started)
		}
	}
	failPct := 0.0
	if p.WindowRequestsPerSecond > 0 {
		failPct = p.WindowFailuresPerSecond / p.WindowRequestsPerSecond * 100
	}
	fmt.Fprintf(&b, " | req/s %.1f fail %.2f%% | p50 %s p95 %s",
		p.WindowRequestsPerSecond, failPct, formatLatency(p.WindowP50), formatLatency(p.WindowP95))
	return b.String()
}

// progress writes a bar on a terminal and a percentage elsewhere.
func (v *liveView) progress(b *strings.Builder, label string, frac float64) {
	frac = min(max(frac, 0), 1)
	if !v.tty {
		fmt.Fprintf(b, "%s %3.0f%%", label, frac*100)
		return
	}
	const width = 20
	full := int(frac*width + 0.5)
	fmt.Fprintf(b, "%-12s [%s%s] %3.0f%%", label, strings.Repeat("#", full), strings.Repeat(".", width-full), frac*100)
}

// printAside prints a line of its own (the server's resources) without
// breaking the redrawn progress line: the next update draws it again below.
func (v *liveView) printAside(line string) {
	if v.w == nil {
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.tty {
		fmt.Fprintf(v.w, "\r\x1b[K%s\n", line)
		return
	}
	fmt.Fprintln(v.w, line)
}

// finish ends the redrawn line so later output starts on a fresh one.
func (v *liveView) finish() {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.w != nil && v.tty && v.drawn {
		fmt.Fprintln(v.w)
	}
}
