package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// slot says how one request is timed. In the closed model latency runs from the
// moment the request is sent; in the open model from its scheduled start, so that
// time spent queued behind a stalled server is counted (no coordinated omission).
type slot struct {
	shard     int
	scheduled time.Time     // zero: latency runs from the send
	lag       time.Duration // open model: how late the send was; negative: none
}

// maxParsedBody bounds the part of a body kept for parsing; the rest is counted
// and discarded.
const maxParsedBody = 1 << 20

var bodyBufPool = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// exchange sends one request, reads the whole answer and records it. parse, when
// given, reads fields the scenario needs from a successful answer and returns a
// failure kind when they are missing. It returns true when the request succeeded.
// A request cut short because the run is stopping is not recorded (it measured
// nothing) but counted as abandoned.
func (r *runner) exchange(ctx context.Context, s slot, ep endpointID, method, target string, header http.Header, body []byte, parse func([]byte) string) bool {
	var bodyReader io.Reader
	if body != nil {
		bodyReader = bytes.NewReader(body)
	}
	// The request's own timeout covers the whole exchange, body included.
	reqCtx, cancel := context.WithTimeout(ctx, r.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(reqCtx, method, target, bodyReader)
	if err != nil {
		r.rec.record(s.shard, ep, 0, 0, "bad request: "+err.Error(), s.lag)
		return false
	}
	req.Header = header

	start := s.scheduled
	if start.IsZero() {
		start = time.Now()
	}
	r.inFlight.Add(1)
	defer r.inFlight.Add(-1)

	// The transport, not an http.Client: the scenario follows no redirects (the
	// contract has none; a 3xx is an answer like any other) and keeps no cookies,
	// and the client's per-request header copy and timer cost throughput.
	resp, err := r.transport.RoundTrip(req)
	if err != nil {
		if ctx.Err() != nil {
			r.abandoned.Add(1)
			return false
		}
		r.rec.record(s.shard, ep, time.Since(start), 0, failureKind(err), s.lag)
		return false
	}

	var size int64
	var failKind string
	switch {
	case resp.StatusCode >= 400:
		var buf []byte
		buf, size, err = readBody(resp.Body, 64<<10)
		if err == nil {
			failKind = httpFailure(resp.StatusCode, buf)
		}
		putBodyBuf(buf)
	case parse != nil:
		var buf []byte
		buf, size, err = readBody(resp.Body, maxParsedBody)
		if err == nil {
			failKind = parse(buf)
		}
		putBodyBuf(buf)
	default:
		size, err = io.Copy(io.Discard, resp.Body)
	}
	resp.Body.Close()
	latency := time.Since(start)
	if err != nil {
		if ctx.Err() != nil {
			r.abandoned.Add(1)
			return false
		}
		failKind = failureKind(err)
	}
	r.rec.record(s.shard, ep, latency, size, failKind, s.lag)
	return failKind == ""
}

// readBody reads a whole body, keeping at most limit bytes of it in a pooled
// buffer, and returns the kept bytes and the full size.
func readBody(body io.Reader, limit int) ([]byte, int64, error) {
	bp := bodyBufPool.Get().(*[]byte)
	buf := (*bp)[:0]
	var size int64
	for {
		if len(buf) == cap(buf) {
			if len(buf) >= limit {
				n, err := io.Copy(io.Discard, body)
				return buf, size + n, err
			}
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		size += int64(n)
		if err == io.EOF {
			return buf, size, nil
		}
		if err != nil {
			return buf, size, err
		}
	}
}

func putBodyBuf(buf []byte) {
	if cap(buf) > maxParsedBody {
		return
	}
	buf = buf[:0]
	bodyBufPool.Put(&buf)
}

// httpFailure names an error answer by its status and, when the body follows the
// contract's error shape, its error_code: "HTTP 409 conflict", "HTTP 502 Bad Gateway".
func httpFailure(status int, body []byte) string {
	var e struct {
		ErrorCode string `json:"error_code"`
	}
	name := http.StatusText(status)
	if json.Unmarshal(body, &e) == nil && e.ErrorCode != "" && len(e.ErrorCode) <= 64 {
		name = e.ErrorCode
	}
	if name == "" {
		return "HTTP " + strconv.Itoa(status)
	}
	return "HTTP " + strconv.Itoa(status) + " " + name
}

// failureKind names a transport failure by what happened, not by its message, so
// that the failures table groups them: the messages carry addresses and ports.
func failureKind(err error) string {
	var netErr net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded),
		errors.As(err, &netErr) && netErr.Timeout():
		return "timeout"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	case errors.Is(err, syscall.EPIPE):
		return "broken pipe"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed by server"
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return "DNS lookup failed: " + dnsErr.Err
	}
	// Keep the innermost cause: the outer layers repeat the URL.
	for {
		inner := errors.Unwrap(err)
		if inner == nil {
			break
		}
		err = inner
	}
	return "transport error: " + err.Error()
}
