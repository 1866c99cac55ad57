package web

import (
	"net/http"

	"github.com/danielgtaylor/huma/v2"
)

// Op is a huma operation with what every operation of the API states: its
// ID, method, path, tag, summary and description, and the error statuses
// it documents. Set DefaultStatus, Middlewares or Metadata on the result
// for what only some operations need; UserOp and PermissionOp add the one
// gate, and an operation registered on an Admin's API is behind the
// platform's.
func Op(id, method, path, tag, summary, desc string, errs ...int) huma.Operation {
	return huma.Operation{
		OperationID: id, Method: method, Path: path, Tags: []string{tag},
		Summary: summary, Description: desc, Errors: errs,
	}
}

// UserOp is Op for signed-in users: gated by RequireUser, 401 documented.
func UserOp(api huma.API, id, method, path, tag, summary, desc string, errs ...int) huma.Operation {
	return gated(Op(id, method, path, tag, summary, desc, errs...), RequireUser(api), http.StatusUnauthorized)
}

// PermissionOp is Op for an action that needs permission in the active
// organization: gated by RequirePermission, 401 and 403 documented, and
// the description ends by naming the permission.
func PermissionOp(api huma.API, permission, id, method, path, tag, summary, desc string, errs ...int) huma.Operation {
	desc += " Needs the " + permission + " permission in the active organization."
	return gated(Op(id, method, path, tag, summary, desc, errs...), RequirePermission(api, permission),
		http.StatusUnauthorized, http.StatusForbidden)
}

// gated puts gate before op's handler and documents the statuses it answers.
func gated(op huma.Operation, gate func(huma.Context, func(huma.Context)), statuses ...int) huma.Operation {
	op.Middlewares = append(huma.Middlewares{gate}, op.Middlewares...)
	op.Errors = append(statuses, op.Errors...)
	return op
}
