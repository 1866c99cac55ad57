package db

import "time"

// SetNotifyKeep shortens how long d keeps sent messages on SQLite (and so
// how often it prunes them). Call it before d's first Subscribe.
func SetNotifyKeep(d *DB, keep time.Duration) { d.notes.keep = keep }

// WritePrepared reports whether q is prepared on d's SQLite writer.
func WritePrepared(d *DB, q string) bool { return d.writeStmts != nil && d.writeStmts.lookup(q) != nil }
