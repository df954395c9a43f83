package webhook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"
)

// ErrAddressRefused means the endpoint's host leads to an address the server
// will not connect to (its own network, the cloud's metadata service).
var ErrAddressRefused = errors.New("webhook: address not allowed")

// Policy says which addresses inside the server's network a delivery may
// reach. The zero Policy refuses all of them: only public addresses.
type Policy struct {
	// AllowLoopback lets deliveries reach this machine (127.0.0.0/8, ::1),
	// for receivers run next to the server in development and tests.
	AllowLoopback bool
	// AllowPrivate lets deliveries reach private networks (10/8, 172.16/12,
	// 192.168/16, fc00::/7, fec0::/10) and carrier-grade NAT (100.64/10),
	// for receivers inside the same network.
	AllowPrivate bool
}

var (
	cgnat        = netip.MustParsePrefix("100.64.0.0/10")
	awsMetadata6 = netip.MustParseAddr("fd00:ec2::254")
	benchmarking = netip.MustParsePrefix("198.18.0.0/15")
	reserved4    = netip.MustParsePrefix("240.0.0.0/4")
	thisNetwork  = netip.MustParsePrefix("0.0.0.0/8")
	siteLocal    = netip.MustParsePrefix("fec0::/10") // deprecated, still routed inside some networks

	// The IPv6 forms that carry an IPv4 address (RFC 4291, 2765, 3056,
	// 4380, 6052, 8215). A packet to one of them ends at that IPv4 address:
	// through the host's own stack, a translator or a tunnel relay.
	v4Compatible = netip.MustParsePrefix("::/96")
	v4Translated = netip.MustParsePrefix("::ffff:0:0:0/96")
	sixToFour    = netip.MustParsePrefix("2002::/16")
	teredo       = netip.MustParsePrefix("2001::/32")
	nat64        = netip.MustParsePrefix("64:ff9b::/96")
	nat64Local   = netip.MustParsePrefix("64:ff9b:1::/48")
)

// carried is an IPv4 address an IPv6 address leads to, and how.
type carried struct {
	v4  netip.Addr
	via string
	// relayed: the IPv4 address is reached through a translator or tunnel
	// relay elsewhere, so its loopback is never this machine's: refused
	// even when loopback is allowed.
	relayed bool
	// guess: one of the places a local-use NAT64 prefix may put the IPv4
	// address; only what is never reached (loopback, link-local: the
	// metadata service) is refused for it, since the other places hold
	// whatever the rest of the address is.
	guess bool
}

// carriedIPv4 returns the IPv4 addresses the IPv6 address a leads to: the
// one of the host forms (IPv4-compatible, IPv4-translated), of 6to4, both of
// Teredo (its server, and its client, stored inverted), of NAT64, and of an
// ISATAP interface identifier. A local-use NAT64 prefix (64:ff9b:1::/48) may
// be any length of 48 to 96 bits, so the IPv4 address at each of RFC 6052's
// positions for those lengths is returned, as a guess.
func carriedIPv4(a netip.Addr) []carried {
	if !a.Is6() || a.Is4In6() {
		return nil
	}
	b := a.As16()
	v4 := func(x []byte) netip.Addr { return netip.AddrFrom4([4]byte(x)) }
	var out []carried
	switch {
	case v4Compatible.Contains(a) && a != netip.IPv6Unspecified() && a != netip.IPv6Loopback():
		out = append(out, carried{v4: v4(b[12:]), via: "IPv4-compatible"})
	case v4Translated.Contains(a):
		out = append(out, carried{v4: v4(b[12:]), via: "IPv4-translated"})
	case sixToFour.Contains(a):
		out = append(out, carried{v4: v4(b[2:6]), via: "6to4", relayed: true})
	case teredo.Contains(a):
		client := [4]byte{b[12] ^ 0xff, b[13] ^ 0xff, b[14] ^ 0xff, b[15] ^ 0xff}
		out = append(out, carried{v4: v4(b[4:8]), via: "Teredo server", relayed: true},
			carried{v4: netip.AddrFrom4(client), via: "Teredo client", relayed: true})
	case nat64.Contains(a):
		out = append(out, carried{v4: v4(b[12:]), via: "NAT64", relayed: true})
	case nat64Local.Contains(a):
		for _, at := range [][]byte{ // RFC 6052 2.2, bits 64-71 skipped
			{b[6], b[7], b[9], b[10]},    // /48
			{b[7], b[9], b[10], b[11]},   // /56
			{b[9], b[10], b[11], b[12]},  // /64
			{b[12], b[13], b[14], b[15]}, // /96
		} {
			out = append(out, carried{v4: v4(at), via: "local-use NAT64", relayed: true, guess: true})
		}
	}
	// ISATAP (RFC 5214): the interface identifier is 0000:5efe or 0200:5efe
	// (either with the group bit) followed by the IPv4 address, under any
	// prefix.
	if b[8]&^0x03 == 0 && b[9] == 0 && b[10] == 0x5e && b[11] == 0xfe {
		out = append(out, carried{v4: v4(b[12:]), via: "ISATAP", relayed: true})
	}
	return out
}

// Check says why addr may not be reached, or nil. Link-local addresses
// (169.254.169.254 is the cloud metadata service), unspecified, multicast,
// broadcast and reserved ones are never reached, whatever the policy. An
// IPv6 address that carries an IPv4 address (see carriedIPv4) is judged by
// that IPv4 address too.
func (p Policy) Check(addr netip.Addr) error {
	addr = addr.Unmap()
	for _, c := range carriedIPv4(addr) {
		why := p.problem(c.v4)
		switch {
		case c.relayed && c.v4.IsLoopback():
			why = "a loopback address (a relay's, never this machine's)"
		case c.guess && !c.v4.IsLinkLocalUnicast():
			why = ""
		}
		if why != "" {
			return fmt.Errorf("%w: %s leads to %s (%s), %s", ErrAddressRefused, addr, c.v4, c.via, why)
		}
	}
	if nat64Local.Contains(addr) && !p.AllowPrivate {
		return fmt.Errorf("%w: %s is a local-use NAT64 address, inside this network", ErrAddressRefused, addr)
	}
	if why := p.problem(addr); why != "" {
		return fmt.Errorf("%w: %s is %s", ErrAddressRefused, addr, why)
	}
	return nil
}

// problem says what addr is when the policy refuses it, or "".
func (p Policy) problem(addr netip.Addr) string {
	switch {
	case !addr.IsValid():
		return "not a valid address"
	case addr == awsMetadata6 || addr.IsLinkLocalUnicast() || addr.IsLinkLocalMulticast():
		return "link-local or a metadata service"
	case addr.IsUnspecified() || thisNetwork.Contains(addr) || addr.IsMulticast() || addr.IsInterfaceLocalMulticast() ||
		addr == netip.AddrFrom4([4]byte{255, 255, 255, 255}) || reserved4.Contains(addr) || benchmarking.Contains(addr):
		return "not a unicast address"
	case addr.IsLoopback():
		if !p.AllowLoopback {
			return "this machine"
		}
	case addr.IsPrivate() || cgnat.Contains(addr) || siteLocal.Contains(addr):
		if !p.AllowPrivate {
			return "a private address"
		}
	}
	return ""
}

// CheckHost refuses a URL's host when it is an address the policy refuses,
// so that an endpoint that can never be delivered to is refused when it is
// saved. A name passes: what it resolves to can change, so its addresses are
// checked at every delivery.
func (p Policy) CheckHost(host string) error {
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return nil
	}
	return p.Check(addr)
}

// Resolver looks a host name up; net.DefaultResolver.LookupNetIP by default,
// replaced in tests by one that answers what DNS would.
type Resolver func(ctx context.Context, host string) ([]netip.Addr, error)

// dialer connects only to addresses the policy allows. The name is resolved
// here, at every connection, and each address checked before it is dialled;
// the socket's Control hook checks the address actually connected to again,
// so no later resolution (DNS rebinding) can slip a refused address in.
type dialer struct {
	policy  Policy
	resolve Resolver
	net     net.Dialer
}

func newDialer(p Policy, resolve Resolver) *dialer {
	d := &dialer{policy: p, resolve: resolve}
	if d.resolve == nil {
		d.resolve = func(ctx context.Context, host string) ([]netip.Addr, error) {
			return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		}
	}
	d.net.Control = func(network, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("%w: %s", ErrAddressRefused, address)
		}
		return p.Check(ap.Addr())
	}
	return d
}

// DialContext resolves the host of address and connects to the first allowed
// address that answers.
func (d *dialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, err
	}
	var addrs []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{ip}
	} else if addrs, err = d.resolve(ctx, host); err != nil {
		return nil, err
	}
	var firstErr error
	for _, a := range addrs {
		if err := d.policy.Check(a); err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		conn, err := d.net.DialContext(ctx, network, net.JoinHostPort(a.Unmap().String(), port))
		if err == nil {
			return conn, nil
		}
		if firstErr == nil || errors.Is(firstErr, ErrAddressRefused) {
			firstErr = err
		}
	}
	if firstErr == nil {
		firstErr = fmt.Errorf("webhook: %s has no address", host)
	}
	return nil, firstErr
}
