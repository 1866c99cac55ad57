package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"
)

// AdminPrefix is where platform administration lives: every module's
// admin routes are under it.
const AdminPrefix = "/api/v1/platform"

// AdminTag is the OpenAPI tag the platform's own admin operations share;
// a module's admin operations keep their module's tag.
const AdminTag = "Platform administration"

// Admin is where a module mounts its platform administration routes: an
// operation registered on API(), or a handler on Handle, answers under
// AdminPrefix and only to whom the platform's gate lets through (401 for
// nobody, 403 for anyone else) — before huma reads any input. The platform
// module builds the one Admin of an app; a module gets it in
// AdminRoutes(*web.Admin) and registers paths relative to the prefix
// ("/users/{id}"), with Op as usual.
type Admin struct {
	router *Router
	group  *huma.Group
	check  func(context.Context) error
}

// NewAdmin returns the Admin over r whose gate is check (the platform
// module's requirePlatformAdmin): its error is the answer, nil lets the
// request through.
func NewAdmin(r *Router, check func(context.Context) error) *Admin {
	api := r.API()
	g := huma.NewGroup(api, AdminPrefix)
	g.UseMiddleware(Gate(api, check))
	g.UseSimpleModifier(func(op *huma.Operation) {
		// huma has documented op.Errors by now: the gate's statuses go into
		// the responses as the others did, with the same problem schema.
		op.Errors = append([]int{http.StatusUnauthorized, http.StatusForbidden}, op.Errors...)
		if template, ok := op.Responses["500"]; ok {
			for _, code := range []int{http.StatusUnauthorized, http.StatusForbidden} {
				if _, ok := op.Responses[strconv.Itoa(code)]; !ok {
					r := *template
					r.Description = http.StatusText(code)
					op.Responses[strconv.Itoa(code)] = &r
				}
			}
		}
		if !strings.Contains(op.Description, "Platform admins only.") {
			op.Description = strings.TrimSpace(op.Description + " Platform admins only.")
		}
	})
	return &Admin{router: r, group: g, check: check}
}

// API is the huma API whose operations are platform administration.
func (a *Admin) API() huma.API { return a.group }

// Handle mounts a plain handler for pattern ("GET /jobs/export", relative
// to AdminPrefix) behind the gate.
func (a *Admin) Handle(pattern string, h http.Handler) {
	method, path, ok := strings.Cut(pattern, " ")
	if !ok {
		method, path = "", pattern
	} else {
		method += " "
	}
	a.router.Handle(method+AdminPrefix+path, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := a.check(r.Context()); err != nil {
			WriteProblem(w, r, err)
			return
		}
		h.ServeHTTP(w, r)
	}))
}
