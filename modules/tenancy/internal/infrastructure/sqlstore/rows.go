package sqlstore

import (
	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/kernel"
)

// scanID reads a row of a single ID column.
func scanID[K kernel.Kind](row db.Row) (kernel.ID[K], error) {
	var id kernel.ID[K]
	err := row.Scan(&id)
	return id, err
}
