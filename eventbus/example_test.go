package eventbus_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/eventbus"
)

// TicketOpened is an event: a stable name, and the facts.
type TicketOpened struct{ Title string }

func (TicketOpened) EventName() string { return "ticket.opened" }

// A listener runs inside the publisher's transaction: its writes (and its
// error, which rolls the change back) are part of the change.
func ExampleSubscribe() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "eventbus-example")
	defer os.RemoveAll(dir)
	d, err := db.Open(ctx, db.Options{SQLitePath: filepath.Join(dir, "app.db")})
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()
	bus := eventbus.New(d)
	eventbus.Subscribe(bus, "notifier", func(ctx context.Context, e TicketOpened) error {
		fmt.Println("heard:", e.Title)
		return nil
	})
	err = d.Tx(ctx, func(ctx context.Context) error {
		// … the change itself, then:
		return bus.Publish(ctx, TicketOpened{Title: "The printer is on fire"})
	})
	fmt.Println(err)
	// Output:
	// heard: The printer is on fire
	// <nil>
}
