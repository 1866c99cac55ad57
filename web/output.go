package web

// Output is the output of a huma operation whose body is T and that sets
// no header. huma names the body's schema after T (Output[Member]'s body
// is the Member schema), so answering Output[T] in place of a one-field
// struct { Body T } leaves the OpenAPI document as it was. Declare T at
// package level: an anonymous or function-local T is named after Output
// instead, or carries a "·N" suffix.
type Output[T any] struct {
	Body T
}

// Reply is the tail of a handler that calls one use case and shows its
// result as JSON:
//
//	v, err := h.svc.Member(ctx, a, ref)
//	return web.Reply(v, err, memberJSON)
//
// It returns nil and err, untouched, when err is not nil (the router maps
// it to a problem), else the output holding toJSON(v). A handler that
// translates the error first passes the translation: web.Reply(v,
// bodyErr(err), memberJSON).
func Reply[V, T any](v V, err error, toJSON func(V) T) (*Output[T], error) {
	if err != nil {
		return nil, err
	}
	return &Output[T]{Body: toJSON(v)}, nil
}

// ReplyItems is Reply for a use case that returns a list: nil and err when
// err is not nil, else ItemsOf(list, toJSON).
func ReplyItems[V, T any](list []V, err error, toJSON func(V) T) (*ItemsOutput[T], error) {
	if err != nil {
		return nil, err
	}
	return ItemsOf(list, toJSON), nil
}
