//go:build !unix

package db

// lockFile is a no-op where flock is unavailable: migrations from two
// processes at once on one SQLite file are then not serialized.
func lockFile(string) (func(), error) { return func() {}, nil }
