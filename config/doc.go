// Package config reads Groundwork's configuration from the environment, once,
// into typed structs. Config holds one sub-struct per concern (Server,
// Database, Log, Email, Payments, …) so that each module receives only its
// part through its Deps and never reads the environment itself.
//
// Variables returns the table of every variable Load reads, with its default
// and meaning; Load is driven by that table, so it is the single source for
// the README and for command-line help. Unset and empty variables take their
// defaults. A bad value yields an *Error whose message is one line naming the
// variable, the value (never a secret one) and what is allowed, so start-up
// can stop with exactly that line.
package config
