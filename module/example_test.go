package module_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/module"
)

// A module's constructor checks the shared services it was given once:
// Ready refuses a missing database and fills in the clock and the logger.
func ExampleServices_Ready() {
	if _, err := (module.Services{}).Ready("tickets"); err != nil {
		fmt.Println(err)
	}
	dir, _ := os.MkdirTemp("", "module-example")
	defer os.RemoveAll(dir)
	d, err := db.New(db.Options{SQLitePath: filepath.Join(dir, "app.db")})
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()
	s, err := module.Services{DB: d}.Ready("tickets")
	fmt.Println(err, s.Clock != nil, s.Logger != nil)
	s.Logger.InfoContext(context.Background(), "discarded")
	// Output:
	// tickets: no database
	// <nil> true true
}
