// Package domain holds usage's rules: what a meter is, the window a
// counter counts in (lifetime, or monthly and yearly windows anchored on a
// billing period or on the calendar), how a counter closes its windows,
// the 80% and 100% thresholds, and the quota-exceeded error.
//
// It imports only the standard library and the kernel.
package domain
