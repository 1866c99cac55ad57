package application

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/domain"
)

// Config tunes the tenancy use cases.
type Config struct {
	// InvitationURLFunc returns the link an invitation email carries for
	// token (the accept page of the front end, or Groundwork's own).
	InvitationURLFunc func(token string) string
}

// Deps are the service's collaborators.
type Deps struct {
	UoW           kernel.UnitOfWork
	Organizations Organizations
	Memberships   Memberships
	Roles         Roles
	Invitations   Invitations
	Users         Users
	Emails        Emails
	Events        kernel.Publisher
	Catalog       *domain.Catalog
	Clock         kernel.Clock
	Logger        *slog.Logger
	// ClientNetworkFunc returns the network (kernel.NetworkOf) of the client
	// of the request ctx belongs to, "" outside one; nil: always "".
	ClientNetworkFunc func(ctx context.Context) string
}

// Service is the tenancy application service. Every change runs in one
// transaction with its events and emails; changes to an organization's
// memberships lock the organization row first, so they serialize.
type Service struct {
	cfg  Config
	deps Deps
	log  *slog.Logger

	// builtin caches the built-in roles, computed from the catalog at the
	// first use; the catalog is closed to declarations from then on.
	// pages caches member pages by organization and version.
	pages *VersionedCache[PageKey, MembersPage]

	builtinOnce sync.Once
	builtin     map[string]*domain.Role
	builtinList []*domain.Role
	closed      sync.Mutex
	isClosed    bool
}

// NewService returns the service. It does no I/O. Clock and Logger are
// required; the module defaults them before it gets here.
func NewService(cfg Config, d Deps) *Service {
	if d.Catalog == nil {
		d.Catalog = domain.NewCatalog()
	}
	if cfg.InvitationURLFunc == nil {
		cfg.InvitationURLFunc = func(token string) string { return "/invitations/" + token }
	}
	return &Service{cfg: cfg, deps: d, log: d.Logger, pages: NewVersionedCache[PageKey, MembersPage](pageCacheSize)}
}

// ErrCatalogClosed is returned by DeclarePermission once the catalog has
// been used: permissions are declared at boot.
var ErrCatalogClosed = kernel.Conflict("tenancy.catalog_closed", "Permissions must be declared at boot, before the first request.")

// DeclarePermission adds a permission to the catalog. It fails once the
// catalog has been used (the built-in roles are computed from it then).
func (s *Service) DeclarePermission(name, description string) error {
	s.closed.Lock()
	defer s.closed.Unlock()
	if s.isClosed {
		return fmt.Errorf("declare %q: %w", name, ErrCatalogClosed)
	}
	return s.deps.Catalog.Declare(name, description)
}

// Permissions lists the catalog, sorted by name.
func (s *Service) Permissions() []domain.PermissionInfo {
	s.builtins()
	return s.deps.Catalog.List()
}

// builtins returns the built-in roles by name, closing the catalog.
func (s *Service) builtins() map[string]*domain.Role {
	s.builtinOnce.Do(func() {
		s.closed.Lock()
		s.isClosed = true
		s.closed.Unlock()
		s.builtinList = domain.BuiltinRoles(s.deps.Catalog)
		s.builtin = make(map[string]*domain.Role, len(s.builtinList))
		for _, r := range s.builtinList {
			s.builtin[r.Name()] = r
		}
	})
	return s.builtin
}

// Actor is who performs an organization-scoped use case: the signed-in
// user and their access to the organization, as Access computed it in
// this request.
type Actor struct {
	UserID kernel.UserID
	Org    kernel.OrganizationContext
	// MembersVersion is the organization's members version read with the
	// membership; zero when unknown. A member page cached at this version
	// is current.
	MembersVersion int64
	// Suspended is true when the organization suspended the membership:
	// Org then grants nothing, and only leaving is allowed.
	Suspended bool
}

// ErrMembershipSuspended answers a member whose membership the organization
// suspended: it grants nothing until reinstated, and the organization
// cannot be their active one. 403 rather than 404: they know the
// organization, and the answer says why they cannot use it.
var ErrMembershipSuspended = kernel.Forbidden("tenancy.membership_suspended",
	"Your membership of this organization is suspended; an administrator of the organization can reinstate it.")

// require returns kernel.ErrMissingPermission unless a's grants allow
// permission.
func (a Actor) require(permission string) error {
	if !a.Org.Grants.Allows(permission) {
		return kernel.ErrMissingPermission(permission)
	}
	return nil
}

// ErrNoActiveOrganization: the request needs an organization and the
// caller has none active.
var ErrNoActiveOrganization = kernel.ErrNoActiveOrganization

// roleGrants returns the grants of role in org: a built-in's, or the
// custom role's permissions. A role that is neither (a dangling name)
// grants nothing: checks fail closed.
func (s *Service) roleGrants(role string, custom bool, permissions []string) kernel.Grants {
	if b, ok := s.builtins()[role]; ok && !custom {
		return b.Grants()
	}
	if custom {
		return kernel.Grants(permissions)
	}
	return nil
}

// Access returns user's access to org — role and grants of the membership
// as it stands — or ErrOrganizationNotFound when user is not a member
// (another organization's existence is not revealed) and
// ErrMembershipSuspended when the membership is suspended. It is at most
// one query (see Memberships.Access).
func (s *Service) Access(ctx context.Context, org kernel.OrganizationID, user kernel.UserID) (kernel.OrganizationContext, error) {
	a, err := s.access(ctx, org, user)
	if err == nil && a.Suspended {
		return kernel.OrganizationContext{}, ErrMembershipSuspended
	}
	return a.Org, err
}

// access is Access with the organization's members version, which a
// request keeps in its Actor.
func (s *Service) access(ctx context.Context, org kernel.OrganizationID, user kernel.UserID) (Actor, error) {
	a, err := s.deps.Memberships.Access(ctx, org, user)
	if errors.Is(err, ErrMemberNotFound) {
		return Actor{}, ErrOrganizationNotFound
	}
	if err != nil {
		return Actor{}, fmt.Errorf("access: %w", err)
	}
	act := Actor{
		UserID:         user,
		Org:            kernel.OrganizationContext{OrganizationID: org, Role: a.Role},
		MembersVersion: a.MembersVersion,
		Suspended:      a.Suspended,
	}
	if !a.Suspended {
		act.Org.Grants = s.roleGrants(a.Role, a.Custom, a.Permissions)
	}
	return act, nil
}

// ActorIn returns user's Actor in org, as it stands: what organization-scoped
// use cases take. ErrOrganizationNotFound when user is not a member; a
// suspended membership is an Actor with Suspended set and no grants.
func (s *Service) ActorIn(ctx context.Context, org kernel.OrganizationID, user kernel.UserID) (Actor, error) {
	return s.access(ctx, org, user)
}

// ResolveOrganization returns the ID of the organization ref names: an
// organization ID or a slug. An unparsable or unknown ref is
// ErrOrganizationNotFound. It does not check membership.
func (s *Service) ResolveOrganization(ctx context.Context, ref string) (kernel.OrganizationID, error) {
	if id, err := kernel.ParseID[kernel.OrganizationKind](ref); err == nil {
		return id, nil
	}
	slug, err := domain.ParseSlug(ref)
	if err != nil {
		return kernel.OrganizationID{}, ErrOrganizationNotFound
	}
	o, err := s.deps.Organizations.BySlug(ctx, slug)
	if err != nil {
		return kernel.OrganizationID{}, err
	}
	return o.ID(), nil
}

// DefaultOrganization returns the organization user used most recently,
// or false when they belong to none.
func (s *Service) DefaultOrganization(ctx context.Context, user kernel.UserID) (kernel.OrganizationID, bool, error) {
	id, err := s.deps.Memberships.MostRecent(ctx, user)
	if errors.Is(err, ErrMemberNotFound) {
		return kernel.OrganizationID{}, false, nil
	}
	if err != nil {
		return kernel.OrganizationID{}, false, fmt.Errorf("default organization: %w", err)
	}
	return id, true, nil
}

// roleOf returns the role named name in org (built-in or custom), or an
// Invalid error on field "role" naming the unknown role.
func (s *Service) roleOf(ctx context.Context, org kernel.OrganizationID, name string) (*domain.Role, error) {
	if b, ok := s.builtins()[name]; ok {
		return b, nil
	}
	r, err := s.deps.Roles.ByName(ctx, org, name)
	if errors.Is(err, ErrRoleNotFound) {
		return nil, kernel.Invalid("tenancy.unknown_role", fmt.Sprintf("This organization has no role %q.", name),
			kernel.FieldError{Field: "role", Code: "unknown_role", Message: "is not a role of this organization"})
	}
	return r, err
}

// permissionsOf returns the permissions a member of role holds in org; a
// role that no longer exists holds none.
func (s *Service) permissionsOf(ctx context.Context, org kernel.OrganizationID, role string) ([]string, error) {
	r, err := s.roleOf(ctx, org, role)
	if kernel.CodeOf(err) == "tenancy.unknown_role" {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return r.Permissions(), nil
}
