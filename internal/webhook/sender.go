package webhook

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"
)

// Limits of one delivery attempt.
const (
	// DefaultTimeout bounds an attempt from connecting to the last byte read.
	DefaultTimeout = 10 * time.Second
	// MaxResponseBytes is the most of an answer read; the rest is dropped
	// with the connection.
	MaxResponseBytes = 64 << 10
	// KeptResponseBytes is the most of an answer kept for the deliveries log.
	KeptResponseBytes = 1 << 10
)

// Config configures a Sender; zero values take the defaults noted.
type Config struct {
	// Policy says which internal addresses may be reached; default none.
	Policy Policy
	// Resolve looks host names up; default the system's resolver.
	Resolve Resolver
	// Timeout bounds one attempt; default DefaultTimeout.
	Timeout time.Duration
	// TLS is the client's TLS configuration (tests trust their own
	// certificate authority here); default the system's roots.
	TLS *tls.Config
	// UserAgent is sent with every delivery.
	UserAgent string
}

// Sender delivers signed messages over HTTP.
type Sender struct {
	client    *http.Client
	userAgent string
}

// NewSender returns a Sender that connects only where cfg.Policy allows,
// follows no redirect, and gives up on an attempt after cfg.Timeout.
func NewSender(cfg Config) *Sender {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "OmniVibe-Webhooks/1"
	}
	d := newDialer(cfg.Policy, cfg.Resolve)
	d.net.Timeout = cfg.Timeout
	transport := &http.Transport{
		// No proxy: a proxy would connect on our behalf to addresses the
		// dialer never sees.
		Proxy:                 nil,
		DialContext:           d.DialContext,
		TLSClientConfig:       cfg.TLS,
		TLSHandshakeTimeout:   cfg.Timeout,
		ResponseHeaderTimeout: cfg.Timeout,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	return &Sender{userAgent: cfg.UserAgent, client: &http.Client{
		Transport: transport,
		Timeout:   cfg.Timeout,
		// A redirect is the endpoint's answer, never followed: following it
		// would let a public host send the delivery to an internal one.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// Request is one attempt to deliver a message.
type Request struct {
	URL       string
	MessageID string
	// Timestamp is the attempt's time, sent as webhook-timestamp and signed.
	Timestamp time.Time
	Body      []byte
	// Keys sign the message: the current secret's first.
	Keys [][]byte
}

// Outcome classifies the answer of an attempt.
type Outcome int

const (
	// Delivered: the endpoint answered 2xx.
	Delivered Outcome = iota
	// Retry: a timeout, a connection error, 429 or 5xx; another attempt may succeed.
	Retry
	// Gone: the endpoint answered 410, it wants no more deliveries.
	Gone
	// Failed: an answer no retry will change (3xx, other 4xx) or an address
	// the policy refuses.
	Failed
)

// Result is what became of an attempt.
type Result struct {
	Outcome    Outcome
	StatusCode int    // 0 when no answer came
	Body       []byte // the answer's first KeptResponseBytes
	Duration   time.Duration
	// Err says what went wrong, without any secret; nil when delivered.
	Err error
}

// Send makes one attempt.
func (s *Sender) Send(ctx context.Context, r Request) Result {
	ts := r.Timestamp.Unix()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.URL, bytes.NewReader(r.Body))
	if err != nil {
		return Result{Outcome: Failed, Err: fmt.Errorf("bad endpoint URL: %w", err)}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", s.userAgent)
	req.Header.Set("webhook-id", r.MessageID)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("webhook-signature", SignatureHeader(r.Keys, r.MessageID, ts, r.Body))
	started := time.Now()
	resp, err := s.client.Do(req)
	if err != nil {
		res := Result{Outcome: Retry, Duration: time.Since(started), Err: attemptError(err)}
		if errors.Is(err, ErrAddressRefused) {
			res.Outcome = Failed
		}
		return res
	}
	defer resp.Body.Close()
	body, readErr := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBytes))
	res := Result{StatusCode: resp.StatusCode, Duration: time.Since(started), Body: body[:min(len(body), KeptResponseBytes)]}
	switch c := resp.StatusCode; {
	case c >= 200 && c < 300:
		res.Outcome = Delivered
		// A receiver that said 2xx has the message, even if its body broke off.
		return res
	case c == http.StatusGone:
		res.Outcome, res.Err = Gone, errors.New("the endpoint answered 410 Gone")
	case c == http.StatusTooManyRequests || c >= 500:
		res.Outcome, res.Err = Retry, fmt.Errorf("the endpoint answered %d", c)
	case c >= 300 && c < 400:
		res.Outcome, res.Err = Failed, fmt.Errorf("the endpoint answered %d (redirects are not followed)", c)
	default:
		res.Outcome, res.Err = Failed, fmt.Errorf("the endpoint answered %d", c)
	}
	if readErr != nil && res.Outcome == Failed {
		res.Err = fmt.Errorf("%w; reading the answer: %v", res.Err, attemptError(readErr))
	}
	return res
}

// attemptError words a transport failure without the request (its URL may
// carry a token the account put there).
func attemptError(err error) error {
	var ue interface{ Unwrap() error }
	if errors.As(err, &ue) {
		if inner := ue.Unwrap(); inner != nil {
			err = inner
		}
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("timed out: %w", err)
	}
	return err
}
