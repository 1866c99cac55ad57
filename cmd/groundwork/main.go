// Command groundwork is the Groundwork server: the HTTP API and the job
// workers in one binary, plus its operational subcommands (see package
// cli, which a product's own binary calls with its modules).
//
//	groundwork [serve] [--no-workers]   API and job workers (the default)
//	groundwork worker                   job workers only
//	groundwork migrate up|down|status   database migrations
//	groundwork audit verify|prune       check or prune the audit log
//	groundwork version                  print the version
//	groundwork help                     usage
//
// Configuration comes from the environment; see README.md.
package main

import "github.com/groundworkhq/groundwork/cli"

func main() { cli.Main() }
