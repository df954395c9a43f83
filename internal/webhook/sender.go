package webhook

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
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
	policy    Policy
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
	return &Sender{userAgent: cfg.UserAgent, policy: cfg.Policy, client: &http.Client{
		Transport: transport,
		Timeout:   cfg.Timeout,
		// A redirect is the endpoint's answer, never followed: following it
		// would let a public host send the delivery to an internal one.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// CheckHost refuses a URL's host that is an address no delivery may reach
// (see Policy.CheckHost): for the URL's check when it is saved.
func (s *Sender) CheckHost(host string) error { return s.policy.CheckHost(host) }

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
	// Err says what went wrong, in words for the endpoint's account: without
	// any secret, and without this server's own network; nil when delivered.
	Err error
	// Detail is the network error behind Err, for the server's log only.
	Detail error
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
		res := Result{Outcome: Retry, Duration: time.Since(started), Err: attemptError(err), Detail: err}
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
		res.Detail = readErr
	}
	return res
}

// attemptError words a transport failure for the account that owns the
// endpoint: what went wrong, in words of its own side of the network. The
// error itself stays out of it: it names the request (whose URL may carry a
// token the account put there) and this server's own network, such as its
// DNS resolver's address ("dial udp 127.0.0.53:53"). It is in Result.Detail,
// for the server's log.
func attemptError(err error) error {
	var (
		dns      *net.DNSError
		hostname x509.HostnameError
		unknown  x509.UnknownAuthorityError
		invalid  x509.CertificateInvalidError
		verify   *tls.CertificateVerificationError
		record   tls.RecordHeaderError
		alert    tls.AlertError
		errno    syscall.Errno
		ne       net.Error
	)
	switch {
	case errors.Is(err, ErrAddressRefused):
		// The address is the one the endpoint's own name or URL gave.
		return &deliveryError{msg: "address not allowed: " + Refusal(err), cause: ErrAddressRefused}
	case errors.As(err, &dns):
		what := "DNS lookup of " + dns.Name + " failed"
		switch {
		case dns.IsNotFound:
			what += ": no such host"
		case dns.IsTimeout:
			what += ": timed out"
		}
		return &deliveryError{msg: what}
	case errors.As(err, &hostname):
		return &deliveryError{msg: "TLS error: the certificate is not valid for " + hostname.Host}
	case errors.As(err, &unknown):
		return &deliveryError{msg: "TLS error: the certificate is not signed by a trusted authority"}
	case errors.As(err, &invalid):
		if invalid.Reason == x509.Expired {
			return &deliveryError{msg: "TLS error: the certificate has expired or is not yet valid"}
		}
		return &deliveryError{msg: "TLS error: the certificate is not valid"}
	case errors.As(err, &verify):
		return &deliveryError{msg: "TLS error: the certificate could not be verified"}
	case errors.As(err, &record):
		return &deliveryError{msg: "TLS error: the endpoint did not answer with TLS (is it http://?)"}
	case errors.As(err, &alert):
		return &deliveryError{msg: "TLS error: the endpoint refused the handshake"}
	case errors.As(err, &ne) && ne.Timeout(), errors.Is(err, context.DeadlineExceeded):
		return &deliveryError{msg: "timed out"}
	case errors.As(err, &errno) && errno == syscall.ECONNREFUSED:
		return &deliveryError{msg: "connection refused"}
	case errors.As(err, &errno) && errno == syscall.ECONNRESET:
		return &deliveryError{msg: "connection reset by the endpoint"}
	case errors.As(err, &errno) && (errno == syscall.EHOSTUNREACH || errno == syscall.ENETUNREACH):
		return &deliveryError{msg: "no route to the endpoint's address"}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return &deliveryError{msg: "the endpoint closed the connection before answering"}
	case errors.Is(err, context.Canceled):
		return &deliveryError{msg: "cancelled (the server is stopping)", cause: context.Canceled}
	}
	// Neither a peer's TLS alert nor a plain HTTP answer has an exported type.
	if strings.Contains(err.Error(), "server gave HTTP response to HTTPS client") {
		return &deliveryError{msg: "TLS error: the endpoint did not answer with TLS (is it http://?)"}
	}
	if strings.Contains(err.Error(), "tls: ") {
		return &deliveryError{msg: "TLS error: the handshake failed"}
	}
	return &deliveryError{msg: "connection failed"}
}

// deliveryError is an attempt's failure as the account reads it. cause is
// what errors.Is finds in it (ErrAddressRefused), never the network error.
type deliveryError struct {
	msg   string
	cause error
}

func (e *deliveryError) Error() string { return e.msg }
func (e *deliveryError) Unwrap() error { return e.cause }

// Refusal is why an address was refused, without ErrAddressRefused's words:
// "127.0.0.1 is this machine".
func Refusal(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, ErrAddressRefused.Error()+": "); i >= 0 {
		return msg[i+len(ErrAddressRefused.Error())+2:]
	}
	return msg
}
