package sqlstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/kernel"
)

// queryOne runs query on q and reads the one row it returns with scan. It
// returns notFound, the repository's not-found error, when there is no
// row, and other errors wrapped with what the read is ("get role: …").
func queryOne[T any](ctx context.Context, q db.Querier, scan func(db.Row) (T, error), notFound error, what, query string, args ...any) (T, error) {
	v, err := scan(q.QueryRow(ctx, query, args...))
	if errors.Is(err, db.ErrNoRows) {
		var zero T
		return zero, notFound
	}
	if err != nil {
		var zero T
		return zero, fmt.Errorf("%s: %w", what, err)
	}
	return v, nil
}

// scanID reads a row of a single ID column.
func scanID[K kernel.Kind](row db.Row) (kernel.ID[K], error) {
	var id kernel.ID[K]
	err := row.Scan(&id)
	return id, err
}
