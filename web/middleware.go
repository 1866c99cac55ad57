package web

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"runtime/debug"
	"strings"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
)

const headerRequestID = "X-Request-Id"

var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,128}$`)

// trackRequest is the outermost middleware. It settles the request ID — the
// caller's X-Request-Id when it is well formed, so IDs from a proxy or a
// front end carry through, a fresh one otherwise — echoes it, and puts the
// per-request state in the context.
func trackRequest(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(headerRequestID)
		if !validRequestID.MatchString(id) {
			id = rand.Text()
		}
		w.Header().Set(headerRequestID, id)
		st := &requestState{id: id, rec: &recorder{ResponseWriter: w}, remoteAddr: r.RemoteAddr, userAgent: r.UserAgent()}
		next.ServeHTTP(st.rec, r.WithContext(context.WithValue(r.Context(), keyState, st)))
	})
}

// withLogger puts the request logger, tagged with request_id, in the context.
func withLogger(base *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			l := base.With("request_id", RequestID(r.Context()))
			next.ServeHTTP(w, r.WithContext(WithLogger(r.Context(), l)))
		})
	}
}

// recoverPanics turns a panic into a logged 500 problem. If the response has
// already begun it cannot be replaced, so the connection is aborted instead,
// which tells the client the response is incomplete. http.ErrAbortHandler is
// passed on: it is how a handler asks for exactly that.
func recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler { // recover yields the value itself, never wrapped
				panic(v)
			}
			ctx := r.Context()
			Logger(ctx).ErrorContext(ctx, "panic", "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			if st := stateFrom(ctx); st != nil && st.rec.wroteHeader {
				panic(http.ErrAbortHandler)
			}
			p := newProblem(http.StatusInternalServerError, codeInternal, internalDetail, nil)
			p.RequestID = RequestID(ctx)
			writeProblem(w, p)
		}()
		next.ServeHTTP(w, r)
	})
}

// instrument records http_requests_total and http_request_duration_seconds
// and writes the access log line. It sits inside recoverPanics, so a panic
// unwinds through it before the 500 is written; it counts such a request as
// a 500.
func instrument(m *metrics) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			st := stateFrom(r.Context())
			completed := false
			defer func() {
				status := st.rec.statusOr(http.StatusOK)
				if !completed && !st.rec.wroteHeader {
					status = http.StatusInternalServerError
				}
				elapsed := time.Since(start)
				route := routeLabel(st)
				m.observe(route, methodLabel(r.Method), status, elapsed)

				level := slog.LevelInfo
				if status >= 500 {
					level = slog.LevelError
				}
				attrs := append(st.logAttrs(),
					slog.String("method", r.Method),
					slog.String("path", r.URL.Path),
					slog.String("route", route),
					slog.Int("status", status),
					slog.Duration("duration", elapsed),
					slog.Int64("bytes", st.rec.bytes),
				)
				// The plain request logger: the attributes are in attrs.
				base, _ := r.Context().Value(keyLogger).(*slog.Logger)
				if base == nil {
					base = slog.Default()
				}
				base.LogAttrs(r.Context(), level, "http request", attrs...)
			}()
			next.ServeHTTP(w, r)
			completed = true
		})
	}
}

// methodLabel bounds the method label to the standard methods.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "OTHER"
}

// limitBody refuses a declared Content-Length over the request's limit up
// front and caps what a handler can read from any other body; reading past
// the cap fails with *http.MaxBytesError, which WriteProblem and huma turn
// into 413.
func limitBody(limitOf func(*http.Request) int64) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			limit := limitOf(r)
			if r.ContentLength > limit {
				writeProblem(w, ProblemFrom(r.Context(), &http.MaxBytesError{Limit: limit}))
				return
			}
			if r.Body != nil && r.Body != http.NoBody {
				r.Body = http.MaxBytesReader(w, r.Body, limit)
			}
			next.ServeHTTP(w, r)
		})
	}
}

// The answers of the cross-origin checks: Better Auth's codes, so its
// clients read them, on every route.
var (
	errInvalidOrigin  = kernel.Forbidden(codeInvalidOrigin, "Invalid origin")
	errMissingOrigin  = kernel.Forbidden(codeMissingOrigin, "Missing or null Origin")
	errCrossSiteLogin = kernel.Forbidden(codeCrossSiteLogin,
		"Cross-site navigation login blocked. This request appears to be a CSRF attack.")
)

// crossOriginProtection rejects unsafe cross-origin browser requests
// (CSRF) with 403 INVALID_ORIGIN — CROSS_SITE_NAVIGATION_LOGIN_BLOCKED for
// a cross-site form posted to sign-in or sign-up — and an unsafe request
// that carries cookies but neither Origin nor Sec-Fetch-Site (or "Origin:
// null") with MISSING_OR_NULL_ORIGIN: only a browser sends cookies, and
// every browser in use sends one of the two. The trusted web origins pass,
// and so does /webhooks/, whose callers are servers that authenticate by
// signature; a request without cookies from a non-browser client passes.
func crossOriginProtection(origins []string) func(http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	for _, o := range origins {
		if err := cop.AddTrustedOrigin(o); err != nil {
			panic("web: " + err.Error()) // unreachable: Config.Validate checked it
		}
	}
	cop.AddInsecureBypassPattern("/webhooks/")
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Sec-Fetch-Mode") == "navigate" && isSignInPath(r.URL.Path) {
			WriteProblem(w, r, errCrossSiteLogin)
			return
		}
		WriteProblem(w, r, errInvalidOrigin)
	}))
	return func(next http.Handler) http.Handler {
		protected := cop.Handler(next)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if unsafeMethod(r.Method) && !strings.HasPrefix(r.URL.Path, "/webhooks/") && len(r.Cookies()) > 0 &&
				r.Header.Get("Sec-Fetch-Site") == "" && (r.Header.Get("Origin") == "" || r.Header.Get("Origin") == "null") {
				WriteProblem(w, r, errMissingOrigin)
				return
			}
			protected.ServeHTTP(w, r)
		})
	}
}

func unsafeMethod(m string) bool {
	return m != http.MethodGet && m != http.MethodHead && m != http.MethodOptions
}

// isSignInPath reports whether path opens a session (Better Auth's
// sign-in and sign-up routes).
func isSignInPath(path string) bool {
	return strings.HasPrefix(path, "/api/auth/sign-in/") || strings.HasPrefix(path, "/api/auth/sign-up/")
}

var (
	corsMethods        = "GET, POST, PUT, PATCH, DELETE"
	corsDefaultHeaders = "Content-Type, X-Request-Id"
	corsExposed        = "X-Request-Id, Retry-After, X-Retry-After, ETag"
	headerList         = regexp.MustCompile(`^[A-Za-z0-9!#$%&'*+.^_|~-]+(\s*,\s*[A-Za-z0-9!#$%&'*+.^_|~-]+)*$`)
)

// cors lets the trusted web origins call the API with credentials. Other
// origins get no CORS headers, so browsers keep their responses from
// scripts, and their preflights are refused outright.
func cors(origins []string) func(http.Handler) http.Handler {
	allowed := make(map[string]bool, len(origins))
	for _, o := range origins {
		allowed[o] = true
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			h.Add("Vary", "Origin")
			origin := r.Header.Get("Origin")
			if origin == "" {
				next.ServeHTTP(w, r)
				return
			}
			preflight := r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
			if preflight {
				h.Add("Vary", "Access-Control-Request-Method")
				h.Add("Vary", "Access-Control-Request-Headers")
				if !allowed[origin] {
					WriteProblem(w, r, kernel.Forbidden(codeCORSOrigin, "Origin not allowed."))
					return
				}
				h.Set("Access-Control-Allow-Origin", origin)
				h.Set("Access-Control-Allow-Credentials", "true")
				h.Set("Access-Control-Allow-Methods", corsMethods)
				headers := corsDefaultHeaders
				if req := strings.TrimSpace(r.Header.Get("Access-Control-Request-Headers")); headerList.MatchString(req) {
					headers = req
				}
				h.Set("Access-Control-Allow-Headers", headers)
				h.Set("Access-Control-Max-Age", "600")
				w.WriteHeader(http.StatusNoContent)
				return
			}
			if allowed[origin] {
				h.Set("Access-Control-Allow-Origin", origin)
				h.Set("Access-Control-Allow-Credentials", "true")
				h.Set("Access-Control-Expose-Headers", corsExposed)
			}
			next.ServeHTTP(w, r)
		})
	}
}
