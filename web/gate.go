package web

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/groundworkhq/groundwork/kernel"
)

// WriteError answers err from a huma middleware, as huma answers an error
// a handler returns: a kernel error by its kind and code, anything else a
// 500 whose cause is logged with the request ID (never shown).
func WriteError(api huma.API, hctx huma.Context, err error) {
	p := ProblemFrom(hctx.Context(), err)
	_ = huma.WriteErr(api, hctx, p.Status, p.Detail, p)
}

// Gate returns the huma middleware that runs check before huma reads any
// input and answers its error, so a caller who may not call the operation
// learns nothing else, not even whether its parameters were valid.
func Gate(api huma.API, check func(ctx context.Context) error) func(huma.Context, func(huma.Context)) {
	return func(hctx huma.Context, next func(huma.Context)) {
		if err := check(hctx.Context()); err != nil {
			WriteError(api, hctx, err)
			return
		}
		next(hctx)
	}
}

// RequireUser is the gate of operations for signed-in users: 401
// "UNAUTHORIZED" otherwise.
func RequireUser(api huma.API) func(huma.Context, func(huma.Context)) {
	return Gate(api, func(ctx context.Context) error {
		_, err := kernel.RequireUser(ctx)
		return err
	})
}

// RequirePermission is the one permission gate (kernel.RequirePermission):
// 401 without a user, 403 "tenancy.no_active_organization" without an
// active organization, 403 "tenancy.forbidden" when its grants lack
// permission.
func RequirePermission(api huma.API, permission string) func(huma.Context, func(huma.Context)) {
	return Gate(api, func(ctx context.Context) error { return kernel.RequirePermission(ctx, permission) })
}

// RequirePermissionHandler is RequirePermission for plain handlers.
func RequirePermissionHandler(permission string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if err := kernel.RequirePermission(r.Context(), permission); err != nil {
				WriteProblem(w, r, err)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}
