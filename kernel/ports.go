package kernel

import "context"

// The two ports every module's use cases take, declared once.

// UnitOfWork runs fn in one transaction, joining the one ctx carries if
// any; fn's error rolls it back. *db.DB is one.
type UnitOfWork interface {
	Tx(ctx context.Context, fn func(ctx context.Context) error) error
}

// TxFunc adapts a function to UnitOfWork.
type TxFunc func(ctx context.Context, fn func(ctx context.Context) error) error

// Tx calls f.
func (f TxFunc) Tx(ctx context.Context, fn func(ctx context.Context) error) error { return f(ctx, fn) }

// Publisher publishes domain events inside the transaction ctx carries, so
// that a listener's error rolls the change back. *eventbus.Bus is one.
type Publisher interface {
	Publish(ctx context.Context, events ...Event) error
}
