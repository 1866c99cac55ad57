package db_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"testing/fstest"

	"github.com/groundworkhq/groundwork/db"
)

// The unit of work: the transaction travels in the context, so
// repositories take a context and run in whatever transaction it carries.
// An error rolls everything back.
func ExampleDB_Tx() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "db-example")
	defer os.RemoveAll(dir)
	d, err := db.Open(ctx, db.Options{SQLitePath: filepath.Join(dir, "app.db")}) // or URL: "postgres://…"
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()
	if _, err := d.QW(ctx).Exec(ctx, `CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL UNIQUE)`); err != nil {
		log.Fatal(err)
	}
	add := func(ctx context.Context, body string) error {
		_, err := d.Q(ctx).Exec(ctx, `INSERT INTO notes (body) VALUES ($1)`, body) // $n on both dialects
		return err
	}
	err = d.Tx(ctx, func(ctx context.Context) error {
		if err := add(ctx, "first"); err != nil {
			return err
		}
		return add(ctx, "first") // a duplicate: the whole transaction rolls back
	})
	if _, ok := db.IsConstraint(err, db.Unique); ok {
		fmt.Println("refused: duplicate")
	}
	var n int
	err = d.Q(ctx).QueryRow(ctx, `SELECT count(*) FROM notes`).Scan(&n)
	fmt.Println(n, err)
	err = d.Q(ctx).QueryRow(ctx, `SELECT body FROM notes WHERE id = 7`).Scan(new(string))
	fmt.Println(errors.Is(err, db.ErrNoRows))
	// Output:
	// refused: duplicate
	// 0 <nil>
	// true
}

// A list query's WHERE clause from the filters a request sets.
func ExampleFilter() {
	var f db.Filter
	f.Where("organization_id = " + f.Arg("org_1"))
	if search := "ana"; search != "" {
		f.Where("name = " + f.Arg(search))
	}
	query := `SELECT id FROM tickets` + f.Clause() + ` ORDER BY id LIMIT ` + f.Arg(50)
	fmt.Println(query)
	fmt.Println(f.Args()...)
	var none db.Filter
	fmt.Printf("%q\n", none.Clause())
	// Output:
	// SELECT id FROM tickets WHERE organization_id = $1 AND name = $2 ORDER BY id LIMIT $3
	// org_1 ana 50
	// ""
}

// A repository's reads and writes in one call each: QueryOne for one row
// (or the repository's not-found error), QueryAll for many, ExecOne for an
// UPDATE or DELETE that must find its row, Exec for any other statement
// (it returns how many rows changed). Each names what it does in the errors it wraps.
func ExampleQueryOne() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "db-example")
	defer os.RemoveAll(dir)
	d, err := db.Open(ctx, db.Options{SQLitePath: filepath.Join(dir, "app.db")})
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()
	if _, err := d.QW(ctx).Exec(ctx, `CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)`); err != nil {
		log.Fatal(err)
	}
	errNoNote := errors.New("no such note")
	scanBody := func(row db.Row) (string, error) {
		var s string
		err := row.Scan(&s)
		return s, err
	}
	for _, body := range []string{"first", "second"} {
		if _, err := d.QW(ctx).Exec(ctx, `INSERT INTO notes (body) VALUES ($1)`, body); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Println(db.QueryOne(ctx, d.Q(ctx), scanBody, errNoNote, "get note", `SELECT body FROM notes WHERE id = $1`, 1))
	fmt.Println(db.QueryOne(ctx, d.Q(ctx), scanBody, errNoNote, "get note", `SELECT body FROM notes WHERE id = $1`, 7))
	fmt.Println(db.QueryAll(ctx, d.Q(ctx), scanBody, "list notes", `SELECT body FROM notes ORDER BY id`))
	fmt.Println(db.ExecOne(ctx, d.QW(ctx), errNoNote, "delete note", `DELETE FROM notes WHERE id = $1`, 2))
	fmt.Println(db.ExecOne(ctx, d.QW(ctx), errNoNote, "delete note", `DELETE FROM notes WHERE id = $1`, 2))
	fmt.Println(db.Exec(ctx, d.QW(ctx), "purge notes", `DELETE FROM notes WHERE id < $1`, 10))
	// Output:
	// first <nil>
	//  no such note
	// [first second] <nil>
	// <nil>
	// no such note
	// 1 <nil>
}

// A module embeds its migrations, one goose file set per dialect, and
// EmbeddedMigrations hands them to the application (app.Migrator); each
// module's history is kept apart, under its name.
func ExampleEmbeddedMigrations() {
	files := fstest.MapFS{ // a //go:embed migrations in a real module
		"migrations/sqlite/00001_notes.sql":   {Data: []byte("-- +goose Up\nCREATE TABLE notes (id TEXT PRIMARY KEY, at TIMESTAMP NOT NULL);\n-- +goose Down\nDROP TABLE notes;\n")},
		"migrations/postgres/00001_notes.sql": {Data: []byte("-- +goose Up\nCREATE TABLE notes (id TEXT PRIMARY KEY, at TIMESTAMPTZ NOT NULL);\n-- +goose Down\nDROP TABLE notes;\n")},
	}
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "db-example")
	defer os.RemoveAll(dir)
	d, err := db.Open(ctx, db.Options{SQLitePath: filepath.Join(dir, "app.db")})
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()
	m := db.EmbeddedMigrations(files, "migrations")
	m.Module = "notes"
	set, err := d.GooseSet(m)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(set.Up(ctx))
	fmt.Println(set.Up(ctx))
	// Output:
	// 1 <nil>
	// 0 <nil>
}
