package kernel

import "net/netip"

// NetworkOf returns what per-address limits count for ip: an IPv4 address
// (or an IPv4-mapped IPv6 one) as it is, an IPv6 address as its /64, which
// one subscriber usually holds whole (so hopping between its addresses
// does not escape a limit). Anything that is not an address is returned
// unchanged.
func NetworkOf(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap()
	if a.Is4() {
		return a.String()
	}
	p, err := a.WithZone("").Prefix(64)
	if err != nil {
		return ip
	}
	return p.String()
}
