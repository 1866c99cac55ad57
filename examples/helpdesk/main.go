// Command helpdesk is a small product built on Groundwork: the whole
// platform (accounts, organizations, roles, billing, quotas, email, audit)
// plus a tickets module of its own. It is the groundwork command with one
// more module, its own plans and quotas on:
//
//	go run .            # serve on http://localhost:8080, SQLite in ./data
//	go run . migrate up # every command of groundwork works
package main

import (
	"os"

	"github.com/groundworkhq/groundwork/app"
	"github.com/groundworkhq/groundwork/cli"

	"example.com/helpdesk/tickets"
)

// defaults are the helpdesk's settings where the environment has none:
// its plans file (relative to the working directory) and quotas enforced.
var defaults = map[string]string{
	"PLANS_FILE":             "plans.yaml",
	"USAGE_METERING_ENABLED": "true",
}

func main() {
	for k, v := range defaults {
		if _, ok := os.LookupEnv(k); !ok {
			_ = os.Setenv(k, v)
		}
	}
	cli.Main(app.WithModules(tickets.New))
}
