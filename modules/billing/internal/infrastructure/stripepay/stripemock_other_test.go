//go:build !linux

package stripepay_test

import "syscall"

// childAttr is nil where there is no parent-death signal: stop kills
// stripe-mock when the tests end.
func childAttr() *syscall.SysProcAttr { return nil }
