// Package web is the HTTP kit every module uses: the router, the middleware
// chain and the problem writer.
//
// A Router owns a standard library ServeMux and a huma API mounted on it.
// Modules register typed operations with huma.Register on Router.API and
// plain handlers (server-sent events, webhooks, redirects) with
// Router.Handle. Router.Handler returns the whole chain, outermost first:
// request ID, request logger, panic recovery, metrics, access log, CORS,
// cross-origin protection, body limit, the middlewares added with
// Router.Use, and the mux.
//
// Every error leaves as an RFC 9457 problem (application/problem+json) with
// a stable code, whether it comes from a kernel.Error returned by a handler,
// from huma's own request validation, from the mux (404, 405) or from a
// panic. Unknown errors become a 500 with a generic detail; their cause is
// logged with the request ID and never shown.
//
// The package also serves /healthz, /readyz, /metrics, the OpenAPI 3.1
// document at /api/openapi.json and a dependency-free reference page at
// /api/docs.
package web
