package webhook

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// verifyIndependently checks a delivery the way a receiver does, with the
// Go snippet of docs/webhooks.md (verifyAt), written from the specification
// with the standard library only: it shares no code with Sign.
func verifyIndependently(secret string, h http.Header, body []byte) bool {
	ts, _ := strconv.ParseInt(h.Get("webhook-timestamp"), 10, 64)
	return verifyAt(secret, h, body, time.Unix(ts, 0))
}

// verifyAt is docs/webhooks.md's verify, verbatim.
func verifyAt(secret string, h http.Header, body []byte, now time.Time) bool {
	ts, err := strconv.ParseInt(h.Get("webhook-timestamp"), 10, 64)
	if err != nil || now.Sub(time.Unix(ts, 0)).Abs() > 5*time.Minute {
		return false
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, key)
	fmt.Fprintf(mac, "%s.%s.", h.Get("webhook-id"), h.Get("webhook-timestamp"))
	mac.Write(body)
	want := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
	for _, sig := range strings.Split(h.Get("webhook-signature"), " ") {
		if hmac.Equal([]byte(sig), []byte(want)) {
			return true
		}
	}
	return false
}

// pythonVerifier is docs/webhooks.md's Python snippet, verbatim, and a
// caller: a second implementation of the specification, in another language.
const pythonVerifier = `
import base64, hashlib, hmac, time

def verify(secret: str, headers, body: bytes, tolerance=300) -> bool:
    msg_id, ts = headers["webhook-id"], headers["webhook-timestamp"]
    if abs(time.time() - int(ts)) > tolerance:
        return False
    key = base64.b64decode(secret.removeprefix("whsec_"))
    mac = hmac.new(key, f"{msg_id}.{ts}.".encode() + body, hashlib.sha256).digest()
    expected = base64.b64encode(mac).decode()
    for sig in headers["webhook-signature"].split(" "):
        version, _, value = sig.partition(",")
        if version == "v1" and hmac.compare_digest(value, expected):
            return True
    return False

import sys
secret, msg_id, ts, header = sys.argv[1:5]
now = int(ts)
time.time = lambda: now  # the test's messages carry a fixed timestamp
ok = verify(secret, {"webhook-id": msg_id, "webhook-timestamp": ts, "webhook-signature": header}, sys.stdin.buffer.read())
sys.exit(0 if ok else 1)
`

func verifyWithPython(t *testing.T, secret string, h http.Header, body []byte) bool {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Log("python3 not installed; only the Go verifier checked the signature")
		return true
	}
	cmd := exec.Command(py, "-c", pythonVerifier, secret, h.Get("webhook-id"), h.Get("webhook-timestamp"), h.Get("webhook-signature"))
	cmd.Stdin = strings.NewReader(string(body))
	err = cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatal(err)
	}
	return err == nil
}

type captured struct {
	header http.Header
	body   []byte
}

// receiver is a local endpoint (a test double on the far side of the
// network) that records what it was sent and answers status.
func receiver(t *testing.T, status int, answer string) (*httptest.Server, chan captured) {
	got := make(chan captured, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- captured{r.Header.Clone(), b}
		w.WriteHeader(status)
		io.WriteString(w, answer)
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

var loopbackOK = Config{Policy: Policy{AllowLoopback: true}}

func message(t *testing.T, url string, secrets ...string) Request {
	t.Helper()
	var keys [][]byte
	for _, s := range secrets {
		k, err := SecretKey(s)
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
	}
	return Request{URL: url, MessageID: "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", Timestamp: time.Unix(1767225600, 0),
		Body: []byte(`{"type":"audio.succeeded","timestamp":"2026-01-01T00:00:00Z","data":{"task_id":"t1"}}`), Keys: keys}
}

func TestSignatureVerifiesIndependently(t *testing.T) {
	srv, got := receiver(t, http.StatusNoContent, "")
	secret, err := NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	other, _ := NewSecret()
	res := NewSender(loopbackOK).Send(context.Background(), message(t, srv.URL, secret))
	if res.Outcome != Delivered || res.Err != nil {
		t.Fatalf("outcome %v, err %v; want delivered", res.Outcome, res.Err)
	}
	c := <-got
	if c.header.Get("webhook-timestamp") != "1767225600" || c.header.Get("webhook-id") != "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W" {
		t.Fatalf("headers %v", c.header)
	}
	if !verifyIndependently(secret, c.header, c.body) || !verifyWithPython(t, secret, c.header, c.body) {
		t.Fatalf("signature %q does not verify", c.header.Get("webhook-signature"))
	}
	if verifyIndependently(other, c.header, c.body) || (hasPython() && verifyWithPython(t, other, c.header, c.body)) {
		t.Fatal("another secret verifies the signature")
	}
	tampered := append([]byte{}, c.body...)
	tampered[len(tampered)-3] = 'X'
	if verifyIndependently(secret, c.header, tampered) {
		t.Fatal("a changed body verifies")
	}
}

func hasPython() bool { _, err := exec.LookPath("python3"); return err == nil }

// The example of the specification's reference libraries: a known secret,
// message and signature.
func TestSignMatchesTheSpecificationExample(t *testing.T) {
	key, err := SecretKey("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	if err != nil {
		t.Fatal(err)
	}
	got := Sign(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, []byte(`{"test": 2432232314}`))
	if want := "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

func TestBothSecretsSignDuringRotation(t *testing.T) {
	srv, got := receiver(t, http.StatusOK, "ok")
	oldS, _ := NewSecret()
	newS, _ := NewSecret()
	res := NewSender(loopbackOK).Send(context.Background(), message(t, srv.URL, newS, oldS))
	if res.Outcome != Delivered {
		t.Fatalf("outcome %v: %v", res.Outcome, res.Err)
	}
	c := <-got
	if n := len(strings.Fields(c.header.Get("webhook-signature"))); n != 2 {
		t.Fatalf("%d signatures, want 2", n)
	}
	for _, s := range []string{oldS, newS} {
		if !verifyIndependently(s, c.header, c.body) || !verifyWithPython(t, s, c.header, c.body) {
			t.Fatalf("secret %d does not verify", len(s))
		}
	}
}

func TestOutcomes(t *testing.T) {
	for _, tc := range []struct {
		status int
		want   Outcome
	}{
		{200, Delivered}, {204, Delivered}, {500, Retry}, {503, Retry}, {429, Retry},
		{410, Gone}, {404, Failed}, {400, Failed}, {301, Failed}, {302, Failed},
	} {
		srv, _ := receiver(t, tc.status, strings.Repeat("x", 5000))
		res := NewSender(loopbackOK).Send(context.Background(), message(t, srv.URL, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
		if res.Outcome != tc.want || res.StatusCode != tc.status {
			t.Errorf("%d: outcome %v status %d, want %v", tc.status, res.Outcome, res.StatusCode, tc.want)
		}
		if tc.status != http.StatusNoContent && len(res.Body) != KeptResponseBytes {
			t.Errorf("%d: kept %d bytes of the answer, want %d", tc.status, len(res.Body), KeptResponseBytes)
		}
	}
}

// A receiver that never answers holds the attempt only until the timeout.
func TestReceiverThatNeverAnswersTimesOut(t *testing.T) {
	release := make(chan struct{})
	var arrived atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived.Store(true)
		<-release
	}))
	defer srv.Close()
	defer close(release)
	cfg := loopbackOK
	cfg.Timeout = 200 * time.Millisecond
	res := NewSender(cfg).Send(context.Background(), message(t, srv.URL, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
	if res.Outcome != Retry || res.Err == nil || !strings.Contains(res.Err.Error(), "timed out") {
		t.Fatalf("outcome %v, err %v; want a retryable timeout", res.Outcome, res.Err)
	}
	if !arrived.Load() {
		t.Fatal("the request never reached the receiver")
	}
}

func TestConnectionRefusedIsRetried(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	u := srv.URL
	srv.Close()
	res := NewSender(loopbackOK).Send(context.Background(), message(t, u, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
	if res.Outcome != Retry || res.Err == nil {
		t.Fatalf("outcome %v, err %v; want retry", res.Outcome, res.Err)
	}
}

// What an attempt's account reads of a failure says what went wrong on the
// endpoint's side, and nothing of this server's network: not its DNS
// resolver's address, not the request's URL (which may carry a token). The
// network error is kept in Detail for the server's log.
func TestFailuresAreWordedForTheAccount(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	refusedURL := closed.URL + "/?token=SECRET-IN-URL"
	closed.Close()
	untrusted := httptest.NewTLSServer(http.NotFoundHandler())
	defer untrusted.Close()
	plain, _ := receiver(t, http.StatusOK, "")
	// The resolver's failure as Go's resolver reports it when the local stub
	// resolver (127.0.0.53) does not answer: a double of the far side.
	stubDown := func(_ context.Context, host string) ([]netip.Addr, error) {
		return nil, &net.DNSError{Err: "dial udp 127.0.0.53:53: connect: connection refused", Name: host, Server: "127.0.0.53:53"}
	}
	nxdomain := func(_ context.Context, host string) ([]netip.Addr, error) {
		return nil, &net.DNSError{Err: "no such host", Name: host, Server: "127.0.0.53:53", IsNotFound: true}
	}
	for _, tc := range []struct {
		name string
		cfg  Config
		url  string
		want string
	}{
		{"resolver down", Config{Resolve: stubDown}, "https://hooks.example.com/?token=SECRET-IN-URL", "DNS lookup of hooks.example.com failed"},
		{"no such host", Config{Resolve: nxdomain}, "https://nowhere.example.com/", "DNS lookup of nowhere.example.com failed: no such host"},
		{"connection refused", loopbackOK, refusedURL, "connection refused"},
		{"certificate not trusted", loopbackOK, untrusted.URL + "/?token=SECRET-IN-URL", "TLS error: the certificate is not signed by a trusted authority"},
		{"plain HTTP answering https", loopbackOK, "https://" + strings.TrimPrefix(plain.URL, "http://") + "/", "TLS error: the endpoint did not answer with TLS (is it http://?)"},
		{"address refused", Config{}, "https://127.0.0.1:9/?token=SECRET-IN-URL", "address not allowed: 127.0.0.1 is this machine"},
	} {
		res := NewSender(tc.cfg).Send(context.Background(), message(t, tc.url, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
		if res.Err == nil || res.Err.Error() != tc.want {
			t.Errorf("%s: error %q, want %q", tc.name, res.Err, tc.want)
			continue
		}
		for _, leak := range []string{"127.0.0.53", "dial udp", "SECRET-IN-URL", "Post "} {
			if strings.Contains(res.Err.Error(), leak) {
				t.Errorf("%s: %q shows %q", tc.name, res.Err, leak)
			}
		}
		if res.Detail == nil {
			t.Errorf("%s: no detail for the log", tc.name)
		}
	}
}

// fakeDNS answers what a DNS server would for the names of the test.
func fakeDNS(names map[string]string) Resolver {
	return func(_ context.Context, host string) ([]netip.Addr, error) {
		a, ok := names[host]
		if !ok {
			return nil, errors.New("no such host")
		}
		return []netip.Addr{netip.MustParseAddr(a)}, nil
	}
}

func TestSSRFRefused(t *testing.T) {
	srv, got := receiver(t, http.StatusOK, "")
	port := srv.URL[strings.LastIndex(srv.URL, ":")+1:]
	dns := fakeDNS(map[string]string{"internal.example.com": "10.1.2.3", "local.example.com": "127.0.0.1",
		"metadata.example.com": "169.254.169.254", "mapped.example.com": "::ffff:127.0.0.1", "sixtofour.example.com": "2002:7f00:1::"})
	everything := Policy{AllowLoopback: true, AllowPrivate: true}
	for _, tc := range []struct {
		name   string
		url    string
		policy Policy
	}{
		{"loopback by default", srv.URL, Policy{}},
		{"IPv6 loopback by default", "http://[::1]:" + port + "/", Policy{}},
		{"name resolving to loopback by default", "http://local.example.com:" + port + "/", Policy{}},
		{"IPv4-mapped loopback by default", "http://mapped.example.com:" + port + "/", Policy{}},
		{"name resolving to a private address", "http://internal.example.com:" + port + "/", Policy{AllowLoopback: true}},
		{"metadata service, whatever the policy", "http://169.254.169.254/latest/meta-data/", everything},
		{"metadata by name, whatever the policy", "http://metadata.example.com/", everything},
		{"IPv6 metadata, whatever the policy", "http://[fd00:ec2::254]/", everything},
		{"unspecified", "http://0.0.0.0:" + port + "/", everything},
		// The probe's forms: each failed only for want of a route.
		{"IPv4-compatible loopback", "http://[::127.0.0.1]:" + port + "/", Policy{}},
		{"6to4 of loopback", "http://[2002:7f00:1::]:" + port + "/", Policy{AllowLoopback: true}},
		{"Teredo with a loopback client", "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]:" + port + "/", Policy{AllowLoopback: true}},
		{"NAT64 of a private address", "http://[64:ff9b::a00:1]:" + port + "/", Policy{AllowLoopback: true}},
		{"name resolving to 6to4 of loopback", "http://sixtofour.example.com:" + port + "/", Policy{AllowLoopback: true}},
	} {
		res := NewSender(Config{Policy: tc.policy, Resolve: dns}).Send(context.Background(), message(t, tc.url, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
		if res.Outcome != Failed || !errors.Is(res.Err, ErrAddressRefused) {
			t.Errorf("%s: outcome %v, err %v; want refused", tc.name, res.Outcome, res.Err)
		}
	}
	select {
	case c := <-got:
		t.Fatalf("a refused delivery reached the receiver: %v", c.header)
	default:
	}
	// The same resolver is what allowed deliveries use.
	res := NewSender(Config{Policy: Policy{AllowLoopback: true}, Resolve: dns}).Send(context.Background(),
		message(t, "http://local.example.com:"+port+"/", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
	if res.Outcome != Delivered {
		t.Fatalf("allowed loopback by name: outcome %v, err %v", res.Outcome, res.Err)
	}
}

func TestRedirectNotFollowed(t *testing.T) {
	target, hit := receiver(t, http.StatusOK, "")
	for _, to := range []string{target.URL + "/internal", "http://169.254.169.254/latest/meta-data/"} {
		redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, to, http.StatusTemporaryRedirect)
		}))
		res := NewSender(loopbackOK).Send(context.Background(), message(t, redirector.URL, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
		redirector.Close()
		if res.Outcome != Failed || res.StatusCode != http.StatusTemporaryRedirect {
			t.Fatalf("redirect to %s: outcome %v status %d, want a failed 307", to, res.Outcome, res.StatusCode)
		}
	}
	select {
	case <-hit:
		t.Fatal("the redirect was followed")
	default:
	}
}

func TestPolicyCheck(t *testing.T) {
	for _, tc := range []struct {
		addr            string
		none, lo, lopri bool // allowed with no policy, loopback, loopback+private
	}{
		{"93.184.216.34", true, true, true},
		{"2606:2800:220:1:248:1893:25c8:1946", true, true, true},
		{"127.0.0.1", false, true, true},
		{"127.9.9.9", false, true, true},
		{"::1", false, true, true},
		{"10.0.0.1", false, false, true},
		{"172.16.5.4", false, false, true},
		{"192.168.1.1", false, false, true},
		{"100.64.0.1", false, false, true},
		{"fc00::1", false, false, true},
		{"169.254.169.254", false, false, false},
		{"fd00:ec2::254", false, false, false},
		{"fe80::1", false, false, false},
		{"0.0.0.0", false, false, false},
		{"::", false, false, false},
		{"224.0.0.1", false, false, false},
		{"ff02::1", false, false, false},
		{"255.255.255.255", false, false, false},
		{"::ffff:10.0.0.1", false, false, true},
		{"64:ff9b::a9fe:a9fe", false, false, false}, // 169.254.169.254 through NAT64
		{"fec0::1", false, false, true},             // site-local, deprecated but routed in places
		// IPv6 forms that carry an IPv4 address are judged by it. Where a
		// relay or translator reaches the IPv4 address, its loopback is the
		// relay's: refused even when this machine's loopback is allowed.
		{"::127.0.0.1", false, true, true}, // IPv4-compatible
		{"::10.0.0.1", false, false, true},
		{"::169.254.169.254", false, false, false},
		{"::93.184.216.34", true, true, true},
		{"::ffff:0:127.0.0.1", false, true, true}, // IPv4-translated (SIIT)
		{"::ffff:0:10.0.0.1", false, false, true},
		{"::ffff:0:93.184.216.34", true, true, true},
		{"2002:7f00:1::", false, false, false}, // 6to4 of 127.0.0.1
		{"2002:a00:1::1", false, false, true},  // 6to4 of 10.0.0.1
		{"2002:a9fe:a9fe::1", false, false, false},
		{"2002:5db8:d822::1", true, true, true},                       // 6to4 of 93.184.216.34
		{"2001:0:4136:e378:8000:63bf:80ff:fffe", false, false, false}, // Teredo, client 127.0.0.1
		{"2001:0:4136:e378:8000:63bf:f5ff:fffe", false, false, true},  // Teredo, client 10.0.0.1
		{"2001:0:a00:1:8000:63bf:a247:27dd", false, false, true},      // Teredo, server 10.0.0.1
		{"2001:0:4136:e378:8000:63bf:a247:27dd", true, true, true},    // Teredo, client 93.184.216.34
		{"64:ff9b::a00:1", false, false, true},                        // NAT64 of 10.0.0.1
		{"64:ff9b::7f00:1", false, false, false},                      // NAT64 of 127.0.0.1: the translator's
		{"64:ff9b::5db8:d822", true, true, true},                      // NAT64 of 93.184.216.34
		{"64:ff9b:1::5db8:d822", false, false, true},                  // local-use NAT64: inside this network
		{"64:ff9b:1::a9fe:a9fe", false, false, false},                 // ... and never to the metadata service
		{"64:ff9b:1:a9fe:a9:fe00::", false, false, false},             // at the /48 prefix's place either
		{"2001:db8:1:2::5efe:a00:1", false, false, true},              // ISATAP of 10.0.0.1
		{"2001:db8:1:2:200:5efe:7f00:1", false, false, false},         // ISATAP of 127.0.0.1
		{"2001:db8:1:2:200:5efe:5db8:d822", true, true, true},         // ISATAP of 93.184.216.34
	} {
		a := netip.MustParseAddr(tc.addr)
		for i, p := range []Policy{{}, {AllowLoopback: true}, {AllowLoopback: true, AllowPrivate: true}} {
			want := []bool{tc.none, tc.lo, tc.lopri}[i]
			if got := p.Check(a) == nil; got != want {
				t.Errorf("%s with %+v: allowed %v, want %v", tc.addr, p, got, want)
			}
		}
	}
}

func TestRetryScheduleGrows(t *testing.T) {
	start := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	prev := time.Duration(0)
	for n := 1; n < MaxAttempts; n++ {
		d := RetryDelay(n)
		if d < prev {
			t.Fatalf("delay after attempt %d is %v, shorter than the one before (%v)", n, d, prev)
		}
		if n > 1 && d < retryCap && d != 2*prev {
			t.Fatalf("delay after attempt %d is %v, want twice %v", n, d, prev)
		}
		prev = d
		next := NextAttempt(start, n, 42)
		if got := next.Sub(start); got < d*8/10 || got > d*12/10 {
			t.Fatalf("attempt %d: next in %v, want %v ± 20 %%", n, got, d)
		}
		if !NextAttempt(start, n, 42).Equal(next) {
			t.Fatal("the same job's next attempt differs between calls")
		}
	}
	if span := ScheduleSpan(); span < 23*time.Hour || span > 26*time.Hour {
		t.Fatalf("retries span %v, want about 24 h", span)
	}
	same := 0
	for seed := int64(1); seed <= 20; seed++ {
		if NextAttempt(start, 5, seed).Equal(NextAttempt(start, 5, seed+1)) {
			same++
		}
	}
	if same > 2 {
		t.Fatalf("%d of 20 neighbouring jobs retry at the same moment: no jitter", same)
	}
}

func TestBoxKeepsSecretsEncrypted(t *testing.T) {
	box, err := NewBox([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	secret, _ := NewSecret()
	sealed, err := box.Seal(secret)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(sealed), secret[6:]) || strings.Contains(base64.StdEncoding.EncodeToString(sealed), secret[6:]) {
		t.Fatal("the sealed secret contains the secret")
	}
	if got, err := box.Open(sealed); err != nil || got != secret {
		t.Fatalf("open: %q, %v", got, err)
	}
	other, _ := NewBox([]byte(strings.Repeat("j", 32)))
	if _, err := other.Open(sealed); err == nil {
		t.Fatal("a box with another server secret opened the secret")
	}
	sealed[len(sealed)-1] ^= 1
	if _, err := box.Open(sealed); err == nil {
		t.Fatal("a tampered secret opened")
	}
}

// The snippets published in docs/webhooks.md are the ones these tests run.
func TestDocumentedVerifiersAreTheTestedOnes(t *testing.T) {
	doc, err := os.ReadFile("../../docs/webhooks.md")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("webhook_test.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"python", "go"} {
		_, rest, ok := strings.Cut(string(doc), "```"+lang+"\n")
		snippet, _, _ := strings.Cut(rest, "```")
		if lang == "go" {
			snippet = strings.Replace(snippet, "func verify(", "func verifyAt(", 1)
		}
		if !ok || !strings.Contains(string(src), snippet) {
			t.Errorf("the %s snippet of docs/webhooks.md is not the one tested here", lang)
		}
	}
}
