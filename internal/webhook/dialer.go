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
	// 192.168/16, fc00::/7) and carrier-grade NAT (100.64/10), for receivers
	// inside the same network.
	AllowPrivate bool
}

var (
	cgnat        = netip.MustParsePrefix("100.64.0.0/10")
	awsMetadata6 = netip.MustParseAddr("fd00:ec2::254")
	benchmarking = netip.MustParsePrefix("198.18.0.0/15")
	reserved4    = netip.MustParsePrefix("240.0.0.0/4")
	nat64        = netip.MustParsePrefix("64:ff9b::/96")
	thisNetwork  = netip.MustParsePrefix("0.0.0.0/8")
)

// Check says why addr may not be reached, or nil. Link-local addresses
// (169.254.169.254 is the cloud metadata service), unspecified, multicast,
// broadcast and reserved ones are never reached, whatever the policy.
func (p Policy) Check(addr netip.Addr) error {
	addr = addr.Unmap()
	if nat64.Contains(addr) { // an IPv4 address behind NAT64: judge the IPv4 one
		b := addr.As16()
		addr = netip.AddrFrom4([4]byte(b[12:]))
	}
	switch {
	case !addr.IsValid():
		return fmt.Errorf("%w: invalid address", ErrAddressRefused)
	case addr == awsMetadata6 || addr.IsLinkLocalUnicast() || addr.IsLinkLocalMulticast():
		return fmt.Errorf("%w: %s is link-local or a metadata service", ErrAddressRefused, addr)
	case addr.IsUnspecified() || thisNetwork.Contains(addr) || addr.IsMulticast() || addr.IsInterfaceLocalMulticast() ||
		addr == netip.AddrFrom4([4]byte{255, 255, 255, 255}) || reserved4.Contains(addr) || benchmarking.Contains(addr):
		return fmt.Errorf("%w: %s is not a unicast address", ErrAddressRefused, addr)
	case addr.IsLoopback():
		if !p.AllowLoopback {
			return fmt.Errorf("%w: %s is this machine", ErrAddressRefused, addr)
		}
	case addr.IsPrivate() || cgnat.Contains(addr):
		if !p.AllowPrivate {
			return fmt.Errorf("%w: %s is a private address", ErrAddressRefused, addr)
		}
	}
	return nil
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
