package web

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/groundworkhq/groundwork/kernel"
)

// DefaultMaxBodyBytes is the request body limit when Config.MaxBodyBytes is
// not set: 1 MiB.
const DefaultMaxBodyBytes = 1 << 20

// Config configures a Router.
type Config struct {
	// Title and Version describe the API in the OpenAPI document.
	Title, Version string
	// WebOrigins are the front-end origins ("https://app.example.com", exact
	// scheme://host[:port]) allowed to call the API from a browser with
	// credentials: they get CORS headers and pass cross-origin protection.
	WebOrigins []string
	// MaxBodyBytes caps every request body (default DefaultMaxBodyBytes).
	// A huma operation is also capped by its own Operation.MaxBodyBytes,
	// which huma defaults to 1 MiB.
	MaxBodyBytes int64
	// ReadyFunc reports whether the service can take traffic, for /readyz; nil
	// means always ready. Its error is logged; the response shows only the
	// detail of a kernel.Error.
	ReadyFunc func(ctx context.Context) error
	// Gatherer is exposed at /metrics. Nil means the Registerer given to
	// NewRouter when it is also a Gatherer, else prometheus.DefaultGatherer.
	Gatherer prometheus.Gatherer
}

// Validate reports a WebOrigins entry that is not an origin. NewRouter
// panics on such a config, so call Validate first to fail start-up cleanly.
func (c Config) Validate() error {
	for _, o := range c.WebOrigins {
		if err := validateOrigin(o); err != nil {
			return fmt.Errorf("WebOrigins: %w", err)
		}
	}
	if c.MaxBodyBytes < 0 {
		return fmt.Errorf("MaxBodyBytes: %d is negative", c.MaxBodyBytes)
	}
	return nil
}

func validateOrigin(o string) error {
	u, err := url.Parse(o)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.User != nil || u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" ||
		o != strings.ToLower(o) {
		return fmt.Errorf("%q is not an origin: want lower-case scheme://host[:port], http or https, no path", o)
	}
	return nil
}

func (c Config) withDefaults() Config {
	if c.Title == "" {
		c.Title = "Groundwork API"
	}
	if c.Version == "" {
		c.Version = "0.0.0"
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	c.WebOrigins = append([]string(nil), c.WebOrigins...)
	return c
}

// Router is the HTTP front of the application: a ServeMux with a huma API on
// it, the built-in endpoints and the middleware chain. Register routes and
// middlewares at boot, then serve Handler; Router is not meant to change
// while it serves.
type Router struct {
	cfg      Config
	logger   *slog.Logger
	mux      *http.ServeMux
	api      huma.API
	metrics  *metrics
	gatherer prometheus.Gatherer
	inner    []func(http.Handler) http.Handler
	specMu   sync.Mutex
	// bodyLimits are the patterns registered with HandleUpload and their
	// own body limits, in place of Config.MaxBodyBytes.
	bodyLimits map[string]int64
}

// NewRouter returns a Router with /healthz, /readyz, /metrics,
// /api/openapi.json and /api/docs registered. A nil logger means
// slog.Default(); a nil reg collects metrics without registering them. It
// panics if cfg does not pass Validate.
//
// The first call replaces huma.NewError and huma.NewErrorWithContext, which
// are process-wide, so that every error huma writes is a *Problem.
func NewRouter(cfg Config, logger *slog.Logger, reg prometheus.Registerer) *Router {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		panic("web: " + err.Error())
	}
	if logger == nil {
		logger = slog.Default()
	}
	useProblemsInHuma()

	hc := huma.DefaultConfig(cfg.Title, cfg.Version)
	// The spec and the docs are served by routes(); huma's /schemas and its
	// $schema links in every response body would point at nothing.
	hc.OpenAPIPath, hc.DocsPath, hc.SchemasPath = "", "", ""
	hc.CreateHooks = nil
	hc.Transformers = []huma.Transformer{completeProblem}
	// Schemas are named after Go types, which modules name alike
	// (listOutput): a later type of a taken name gets a number, instead of
	// huma's "duplicate name" panic at boot.
	hc.OpenAPI.Components.Schemas = huma.NewMapRegistry("#/components/schemas/", uniqueSchemaNamer())

	rt := &Router{
		cfg:      cfg,
		logger:   logger,
		mux:      http.NewServeMux(),
		metrics:  newMetrics(reg),
		gatherer: cfg.Gatherer,
	}
	rt.api = humago.New(rt.mux, hc)
	if rt.gatherer == nil {
		if g, ok := reg.(prometheus.Gatherer); ok {
			rt.gatherer = g
		} else {
			rt.gatherer = prometheus.DefaultGatherer
		}
	}
	rt.routes()
	return rt
}

// API returns the huma API; modules register typed operations on it with
// huma.Register. Errors they return are mapped by ProblemFrom.
func (rt *Router) API() huma.API { return rt.api }

// Handle registers a plain handler for a ServeMux pattern ("POST
// /webhooks/{provider}"), for what huma does not fit: server-sent events,
// webhooks, redirects. Such handlers report errors with WriteProblem.
func (rt *Router) Handle(pattern string, h http.Handler) { rt.mux.Handle(pattern, h) }

// HandleUpload is Handle for a route whose bodies may be larger than
// Config.MaxBodyBytes, up to limit bytes (file uploads): the body limit
// refuses a declared Content-Length over limit up front and cuts any
// other body (chunked, or lying about its length) at limit, so reading
// past it fails with *http.MaxBytesError (413). Every other route keeps
// the router's limit.
func (rt *Router) HandleUpload(pattern string, limit int64, h http.Handler) {
	if rt.bodyLimits == nil {
		rt.bodyLimits = map[string]int64{}
	}
	rt.bodyLimits[pattern] = limit
	rt.mux.Handle(pattern, h)
}

// bodyLimit is the body limit of r's route: its own when it was registered
// with HandleUpload, else the router's. Only a body that may pass the
// router's limit (declared longer, or of unknown length) is routed to
// find out.
func (rt *Router) bodyLimit(r *http.Request) int64 {
	limit := rt.cfg.MaxBodyBytes
	if len(rt.bodyLimits) == 0 || (r.ContentLength >= 0 && r.ContentLength <= limit) {
		return limit
	}
	if _, pattern := rt.mux.Handler(r); pattern != "" {
		if l, ok := rt.bodyLimits[pattern]; ok {
			return l
		}
	}
	return limit
}

// Use adds a middleware that runs after request ID, logging, recovery,
// metrics, CORS, cross-origin protection and the body limit, just before the
// mux; middlewares run in the order they were added. Call it before Handler.
func (rt *Router) Use(mw func(http.Handler) http.Handler) { rt.inner = append(rt.inner, mw) }

// Handler returns the router behind its full middleware chain.
func (rt *Router) Handler() http.Handler {
	var h http.Handler = http.HandlerFunc(rt.serveMux)
	for i := len(rt.inner) - 1; i >= 0; i-- {
		h = rt.inner[i](h)
	}
	h = limitBody(rt.bodyLimit)(h)
	h = crossOriginProtection(rt.cfg.WebOrigins)(h)
	h = cors(rt.cfg.WebOrigins)(h)
	h = instrument(rt.metrics)(h)
	h = recoverPanics(h)
	h = withLogger(rt.logger)(h)
	return trackRequest(h)
}

// serveMux serves the mux and answers its own 404 and 405 with problems.
// There is deliberately no catch-all "/" route: it would match every path
// and so hide the 405s the mux computes.
func (rt *Router) serveMux(w http.ResponseWriter, r *http.Request) {
	mw := &muxWriter{ResponseWriter: w, r: r}
	defer func() {
		if st := stateFrom(r.Context()); st != nil {
			st.pattern = r.Pattern // set by the mux on the request it is given
		}
	}()
	rt.mux.ServeHTTP(mw, r)

	var p *Problem
	switch mw.swallowed {
	case http.StatusNotFound:
		p = newProblem(http.StatusNotFound, codeNotFound, "No resource matches this path.", nil)
	case http.StatusMethodNotAllowed:
		p = newProblem(http.StatusMethodNotAllowed, codeMethodNotAllowed,
			fmt.Sprintf("The %s method is not allowed here; see the Allow header.", r.Method), nil)
	default:
		return
	}
	p.RequestID = RequestID(r.Context())
	writeProblem(w, p)
}

func (rt *Router) routes() {
	rt.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	rt.mux.HandleFunc("GET /readyz", rt.readyz)
	rt.mux.Handle("GET /metrics", promhttp.HandlerFor(rt.gatherer, promhttp.HandlerOpts{}))
	rt.mux.HandleFunc("GET /api/openapi.json", rt.openAPI)
	rt.mux.HandleFunc("GET /api/docs", serveDocs)
}

func (rt *Router) readyz(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if rt.cfg.ReadyFunc != nil {
		if err := rt.cfg.ReadyFunc(ctx); err != nil {
			Logger(ctx).WarnContext(ctx, "not ready", "error", err.Error())
			detail := "The service is not ready."
			if ke := kernel.AsError(err); ke != nil && ke.Kind != kernel.KindInternal && ke.Detail != "" {
				detail = ke.Detail
			}
			p := newProblem(http.StatusServiceUnavailable, codeNotReady, detail, nil)
			p.RequestID = RequestID(ctx)
			w.Header().Set("Cache-Control", "no-store")
			writeProblem(w, p)
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

// openAPI marshals the document on each request, so it is never stale; the
// mutex keeps two marshals from walking huma's schemas at once.
func (rt *Router) openAPI(w http.ResponseWriter, r *http.Request) {
	rt.specMu.Lock()
	b, err := json.Marshal(rt.api.OpenAPI())
	rt.specMu.Unlock()
	if err != nil {
		WriteProblem(w, r, fmt.Errorf("marshal openapi: %w", err))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
