package httpapi

import (
	"context"
	"net"
	"net/http"
)

// Client is what the audit log keeps of the caller of a request.
type Client struct {
	// IP is the TCP peer's address; X-Forwarded-For is not trusted, since
	// any client can send it.
	IP        string
	UserAgent string
}

type clientKey struct{}

// CaptureClient is a middleware that puts the request's Client in its
// context for entries recorded while it is served.
func CaptureClient(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := Client{IP: remoteIP(r.RemoteAddr), UserAgent: r.UserAgent()}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), clientKey{}, c)))
	})
}

// ClientFrom returns the Client CaptureClient put in ctx; zero outside a
// request.
func ClientFrom(ctx context.Context) Client {
	c, _ := ctx.Value(clientKey{}).(Client)
	return c
}

func remoteIP(addr string) string {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	return host
}
