package app

import (
	"context"

	"github.com/groundworkhq/groundwork/config"
	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/eventbus"
	"github.com/groundworkhq/groundwork/jobs"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/module"
	"github.com/groundworkhq/groundwork/modules/billing"
	"github.com/groundworkhq/groundwork/modules/featureflags"
	"github.com/groundworkhq/groundwork/modules/storage"
	"github.com/groundworkhq/groundwork/modules/usage"
	"github.com/groundworkhq/groundwork/web"
)

// Module is what the composition root needs of a bounded context: a
// stable name and its HTTP surface. What else a module has it provides by
// implementing the optional interfaces below — Migrator (tables),
// Subscriber (event listeners), WorkerRegistrar (jobs), PermissionDeclarer
// (permissions for roles), MeterDeclarer (usage meters), AdminRouter
// (routes under /api/v1/platform), Starter (background work) — which New
// calls at boot, in the order: Permissions, UsageMeters, Migrations,
// Subscribe, Workers, Routes, AdminRoutes.
type Module interface {
	// Name is the module's stable name ("iam"); it names its migration
	// history table.
	Name() string
	// Routes mounts the module's HTTP surface.
	Routes(r *web.Router)
}

// Migrator is implemented by a module that owns tables: its SQL migrations
// for both dialects.
type Migrator interface {
	Migrations() db.Migrations
}

// Subscriber is implemented by a module that listens to events: it
// registers its handlers.
type Subscriber interface {
	Subscribe(bus *eventbus.Bus)
}

// WorkerRegistrar is implemented by a module with jobs: it registers its
// job kinds, queues and periodic jobs.
type WorkerRegistrar interface {
	Workers(reg *jobs.Registry)
}

// PermissionDeclarer is implemented by a module that declares permissions
// ("resource:action") for organization roles. New declares them in the
// tenancy catalog before the first request; the built-in admin role gets
// every one.
type PermissionDeclarer interface {
	Permissions() []kernel.Permission
}

// MeterDeclarer is implemented by a product's module that counts usage:
// New registers its meters with the usage module, in order, after every
// module is built (a bad or duplicate meter fails New naming the module).
// A meter's key is what plans cap in PLANS_FILE; the module counts
// against it through Deps.Usage.
type MeterDeclarer interface {
	UsageMeters() []usage.Meter
}

// AdminRouter is implemented by a module with platform administration
// routes: New calls AdminRoutes after every module's Routes, with the one
// Admin the platform module gates (everything under /api/v1/platform: 401
// for nobody, 403 platform.forbidden for a non-admin, 403
// platform.impersonating for an impersonated session).
type AdminRouter interface {
	AdminRoutes(a *web.Admin)
}

// Starter is implemented by a module with background work of its own (a
// PostgreSQL listener, a cache warmer): App.Start starts it after the job
// workers, App.Stop stops it before them, in reverse module order. Stop
// must tolerate a Start that failed or never ran.
type Starter interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
}

// Deps are what a product's module is built with: the configuration and
// the shared services (module.Services: DB, Bus, Jobs, Clock, Logger —
// never nil here), the same Groundwork's own modules get. Jobs can insert
// only once New has returned: modules keep it for later and register their
// workers through Module.Workers.
type Deps struct {
	Config config.Config
	// Env is the environment Config was loaded from, for the module's own
	// settings: config.NewSettings(d.Env) reads them with Load's rules.
	Env func(key string) (string, bool)
	module.Services
	// Billing and Usage are Groundwork's billing and usage modules, for a
	// product's module to gate a route on a plan
	// (Billing.RequireActiveSubscription, Billing.SubscriptionGate) and to
	// count against a quota (Usage.CheckAndIncrement). They are nil in the
	// Deps Groundwork's own modules are built with.
	Billing *billing.Module
	Usage   *usage.Module
	// Storage is Groundwork's storage module, for a product's module to
	// keep files of its organizations (Storage.PutFile, SignedFileURL);
	// nil in the Deps Groundwork's own modules are built with.
	Storage *storage.Module
	// FeatureFlags is Groundwork's feature flags, for a product's module
	// to declare and evaluate its own (featureflags.Bool(d.FeatureFlags,
	// …)); nil in the Deps Groundwork's own modules are built with.
	FeatureFlags *featureflags.Module
}

// ModuleFactory builds a module from the shared services. It may fail, for
// example on a bad provider setting; New then fails with its error.
type ModuleFactory func(Deps) (Module, error)
