// Package kernel is Groundwork's shared kernel: the few primitives every module
// may depend on — typed, prefixed identifiers over UUIDv7, the error model, the
// event interface, the clock, and the request principal with its grants.
//
// It imports only the standard library and holds no business rules.
package kernel
