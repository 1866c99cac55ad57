package kernel_test

import (
	"errors"
	"fmt"

	"github.com/groundworkhq/groundwork/kernel"
)

type ticketKind struct{}

func (ticketKind) Prefix() string { return "tkt" }

// Typed IDs: a prefix that says what they name, sortable by creation.
func ExampleNewID() {
	id := kernel.NewID[ticketKind]()
	back, err := kernel.ParseID[ticketKind](id.String())
	fmt.Println(id.String()[:4], back == id, err)
	_, err = kernel.ParseID[ticketKind](kernel.NewID[kernel.UserKind]().String())
	fmt.Println(err != nil) // a user's ID is not a ticket's
	// Output:
	// tkt_ true <nil>
	// true
}

// Errors carry a kind (the HTTP status), a stable code and a sentence for
// the user; wrapping keeps them.
func ExampleNotFound() {
	err := fmt.Errorf("load ticket: %w", kernel.NotFound("tickets.not_found", "No such ticket."))
	fmt.Println(kernel.KindOf(err) == kernel.KindNotFound, kernel.CodeOf(err))
	var e *kernel.Error
	fmt.Println(errors.As(err, &e), e.Detail)
	// Output:
	// true tickets.not_found
	// true No such ticket.
}

// Grants with wildcards.
func ExampleGrants_Allows() {
	g := kernel.Grants{"tickets:*", "members:read"}
	fmt.Println(g.Allows("tickets:close"), g.Allows("members:remove"), kernel.Grants{"*"}.Allows("anything:at_all"))
	// Output: true false true
}

// One email grammar for every module.
func ExampleParseEmail() {
	e, err := kernel.ParseEmail("  Ana@Example.COM ")
	fmt.Println(e, err)
	_, err = kernel.ParseEmail("ana@[127.0.0.1]")
	fmt.Println(err)
	// Output:
	// ana@example.com <nil>
	// invalid email address: must be an email address like name@example.com
}
