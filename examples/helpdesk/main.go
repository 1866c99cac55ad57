// Command helpdesk is a small product built on Groundwork: the whole
// platform (accounts, organizations, roles, email, audit) plus a tickets
// module of its own. It is the groundwork command with one more module:
//
//	go run .            # serve on http://localhost:8080, SQLite in ./data
//	go run . migrate up # every command of groundwork works
package main

import (
	"github.com/groundworkhq/groundwork/app"
	"github.com/groundworkhq/groundwork/cli"

	"example.com/helpdesk/tickets"
)

func main() { cli.Main(app.WithModules(tickets.New)) }
