// Package app is Groundwork's composition root: it reads nothing from the
// environment itself, opens the database, builds the shared plumbing (event
// bus, job client, HTTP router) and wires every module into it explicitly.
//
// Lifecycle: New opens the database and wires everything but starts nothing;
// Migrate applies pending migrations; Start starts the job workers; Handler
// is the HTTP surface; Serve listens until its context ends and then drains;
// Close releases what New opened and tolerates a partial Start.
//
// A product built on Groundwork calls New with its own modules (WithModules)
// — each registers migrations, routes, event listeners and job workers the
// same way Groundwork's own modules do.
package app
