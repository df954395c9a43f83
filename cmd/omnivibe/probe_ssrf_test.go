package main

import (
	"fmt"
	"net"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// internalHosts are ways to write an address inside the server's network in
// a webhook URL, by the address each stands for. With the server's default
// policy none may be reached.
var internalHosts = []struct{ host, what string }{
	{"127.0.0.1", "loopback"},
	{"127.9.9.9", "loopback"},
	{"0.0.0.0", "unspecified (reaches this machine)"},
	{"10.0.0.1", "private"},
	{"172.16.0.1", "private"},
	{"192.168.0.1", "private"},
	{"100.64.0.1", "carrier-grade NAT"},
	{"169.254.169.254", "the cloud metadata service"},
	{"169.254.0.1", "link-local"},
	{"224.0.0.1", "multicast"},
	{"255.255.255.255", "broadcast"},
	{"[::1]", "IPv6 loopback"},
	{"[::]", "IPv6 unspecified"},
	{"[::127.0.0.1]", "IPv4-compatible loopback"},
	{"[::10.0.0.1]", "IPv4-compatible private"},
	{"[::169.254.169.254]", "IPv4-compatible metadata"},
	{"[::ffff:127.0.0.1]", "IPv4-mapped loopback"},
	{"[::ffff:7f00:1]", "IPv4-mapped loopback, hex"},
	{"[::ffff:169.254.169.254]", "IPv4-mapped metadata"},
	{"[2002:7f00:1::]", "6to4 of loopback"},
	{"[2002:a00:1::]", "6to4 of a private address"},
	{"[2002:a9fe:a9fe::]", "6to4 of the metadata service"},
	{"[2001:0:4136:e378:8000:63bf:80ff:fffe]", "Teredo with client 127.0.0.1"},
	{"[2001:0:4136:e378:8000:63bf:f5ff:fffe]", "Teredo with client 10.0.0.1"},
	{"[64:ff9b::7f00:1]", "NAT64 of loopback"},
	{"[64:ff9b::a00:1]", "NAT64 of a private address"},
	{"[64:ff9b::a9fe:a9fe]", "NAT64 of the metadata service"},
	{"[fd00:ec2::254]", "the IPv6 metadata service"},
	{"[fe80::1]", "IPv6 link-local"},
	{"[fc00::1]", "IPv6 unique local"},
	{"[ff02::1]", "IPv6 multicast"},
}

// internalNames are host names and non-canonical numbers that stand for
// this machine: each is refused, or fails to resolve; none reaches it.
var internalNames = []string{"localhost", "LOCALHOST", "localhost.", "probe.localhost",
	"2130706433", "0x7f000001", "0177.0.0.1", "0x7f.0.0.1", "127.1", "017700000001"}

// resolverAddress is a DNS server's address in an error message.
var resolverAddress = regexp.MustCompile(`(\d{1,3}\.){3}\d{1,3}:53\b|\]:53\b`)

// TestProbeWebhookAddresses saves webhooks whose URL leads inside the
// server's network, in every form an address can take, under the server's
// default policy. Each is refused: at save (422 naming url), or at its
// delivery, which fails for good as "address not allowed" without a
// connection being made (a listener on this machine's loopback, at the
// URLs' port, counts the connections). Host names that stand for this
// machine may instead fail to resolve, and no delivery error shows the
// address of the server's DNS resolver.
func TestProbeWebhookAddresses(t *testing.T) {
	p := startProbe(t, nil)

	var connections atomic.Int32
	listen := func(network, addr string) net.Listener {
		ln, err := net.Listen(network, addr)
		if err != nil {
			return nil
		}
		t.Cleanup(func() { ln.Close() })
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				connections.Add(1)
				c.Close()
			}
		}()
		return ln
	}
	ln := listen("tcp4", "127.0.0.1:0")
	if ln == nil {
		t.Fatal("no loopback listener")
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	listen("tcp6", "[::1]:"+port) // where this machine has IPv6 loopback; 0.0.0.0 reaches the first

	type target struct {
		url, what string
		name      bool // a host name: may fail to resolve instead
		owner     user
		hook      int64
		delivery  int64
	}
	var targets []*target
	for _, h := range internalHosts {
		targets = append(targets, &target{url: fmt.Sprintf("https://%s:%s/hook", h.host, port), what: h.what})
	}
	for _, n := range internalNames {
		targets = append(targets, &target{url: fmt.Sprintf("https://%s:%s/hook", n, port), what: "a name of this machine", name: true})
	}
	targets = append(targets, &target{url: "https://no-such-host.invalid/hook", what: "a name that does not resolve", name: true})

	// Each form at creation, and two by a change of a saved webhook's URL.
	patched := map[string]bool{fmt.Sprintf("https://[::127.0.0.1]:%s/hook", port): true, fmt.Sprintf("https://[2002:7f00:1::]:%s/hook", port): true}
	var owner user
	for i, tg := range targets {
		if i%15 == 0 { // an account has at most 20 webhooks
			owner = p.register("ssrf")
		}
		tg.owner = owner
		var r reply
		if patched[tg.url] {
			id := p.create(owner.token, "/api/v1/webhooks", map[string]any{"url": "https://hooks.probe.example/in", "events": []string{"audio.failed"}})
			r = p.do(call{method: "PATCH", path: fmt.Sprintf("/api/v1/webhooks/%d", id), token: owner.token, body: map[string]any{"url": tg.url}})
			if r.status == 200 {
				r.status = 201
			}
		} else {
			r = p.do(call{method: "POST", path: "/api/v1/webhooks", token: owner.token, body: map[string]any{"url": tg.url, "events": []string{"audio.failed"}}})
		}
		switch {
		case r.status == 422:
			if !slices.Contains(r.fields(), "url") {
				t.Errorf("%s (%s): refused at save without naming url: %s", tg.url, tg.what, r)
			}
		case r.status == 201:
			tg.hook = r.id()
			d := p.must(202, call{method: "POST", path: fmt.Sprintf("/api/v1/webhooks/%d/test", tg.hook), token: owner.token})
			tg.delivery = d.id()
		default:
			t.Errorf("%s (%s): got %s, want 422 naming url or 201", tg.url, tg.what, r)
		}
	}
	for _, tg := range targets {
		if tg.hook == 0 {
			continue
		}
		d := p.waitDelivery(tg.owner.token, tg.hook, tg.delivery)
		msg, _ := d["error"].(string)
		refused := strings.Contains(msg, "address not allowed")
		unresolved := tg.name && (strings.Contains(msg, "no such host") || strings.Contains(msg, "lookup") || strings.Contains(msg, "resolve"))
		switch {
		case d["status"] == "succeeded":
			t.Errorf("%s (%s): the delivery succeeded", tg.url, tg.what)
		case !refused && !unresolved:
			t.Errorf("%s (%s): the delivery was attempted: %s %q; want it refused as address not allowed", tg.url, tg.what, d["status"], msg)
		case refused && (d["status"] != "failed" || d["next_attempt_at"] != nil):
			t.Errorf("%s (%s): refused, yet %s with a next attempt at %v; want failed for good", tg.url, tg.what, d["status"], d["next_attempt_at"])
		}
		if resolverAddress.MatchString(msg) {
			t.Errorf("%s: the delivery's error shows the server's DNS resolver: %q", tg.url, msg)
		}
	}
	// Give a connection that was made a moment to be counted.
	time.Sleep(100 * time.Millisecond)
	if n := connections.Load(); n != 0 {
		t.Errorf("this machine's loopback listener got %d connections from webhook deliveries, want 0", n)
	}
}
