package domain

import (
	"fmt"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
)

// InvitationTTL is how long an invitation stays open.
const InvitationTTL = 7 * 24 * time.Hour

// InvitationKind is the ID kind of invitations ("inv_…").
type InvitationKind struct{}

// Prefix implements kernel.Kind.
func (InvitationKind) Prefix() string { return "inv" }

// InvitationID identifies an invitation.
type InvitationID = kernel.ID[InvitationKind]

// InvitationStatus is where an invitation stands; its string is stable and
// stored. The zero InvitationStatus is invalid.
type InvitationStatus struct {
	s string
}

// The invitation statuses.
var (
	InvitationPending  = InvitationStatus{"pending"}
	InvitationAccepted = InvitationStatus{"accepted"}
	InvitationDeclined = InvitationStatus{"declined"}
	InvitationRevoked  = InvitationStatus{"revoked"}
	InvitationExpired  = InvitationStatus{"expired"}
)

// ParseInvitationStatus returns the status named s, or an Invalid error with
// code "tenancy.invalid_status".
func ParseInvitationStatus(s string) (InvitationStatus, error) {
	for _, st := range []InvitationStatus{InvitationPending, InvitationAccepted, InvitationDeclined, InvitationRevoked, InvitationExpired} {
		if st.s == s {
			return st, nil
		}
	}
	return InvitationStatus{}, invalidField("status", fmt.Sprintf("%q is not an invitation status", s))
}

// String returns the stored name ("pending").
func (s InvitationStatus) String() string { return s.s }

// IsZero reports whether s is the zero InvitationStatus.
func (s InvitationStatus) IsZero() bool { return s.s == "" }

// ErrInvitationGone is returned for an invitation that is expired, revoked,
// declined or already accepted.
var ErrInvitationGone = kernel.Gone("tenancy.invitation_gone", "This invitation is no longer valid.")

// ErrInvitationEmailMismatch is returned when someone accepts an
// invitation sent to another address.
var ErrInvitationEmailMismatch = kernel.Forbidden("tenancy.invitation_email_mismatch",
	"This invitation was sent to another email address.")

// Invitation asks someone, by email, to join an organization with a role.
// Its token rests only as a hash. It is open while pending and before
// expiresAt; at expiresAt it is expired.
type Invitation struct {
	id        InvitationID
	orgID     kernel.OrganizationID
	email     Email
	role      string
	inviterID kernel.UserID
	tokenHash [32]byte
	expiresAt time.Time
	status    InvitationStatus
	createdAt time.Time
	updatedAt time.Time
}

// NewInvitationParams are NewInvitation's inputs.
type NewInvitationParams struct {
	OrganizationID kernel.OrganizationID
	Email          string
	Role           string
	InviterID      kernel.UserID
	TokenHash      [32]byte
	Now            time.Time
}

// NewInvitation returns a pending invitation expiring InvitationTTL after
// p.Now. It returns an Invalid error with code "tenancy.invalid_invitation"
// carrying field errors for a bad email or role name (the owner role cannot
// be invited into: ownership is transferred), and a plain error for zero
// IDs or hash. Whether the inviter may grant the role is CanGrant's to
// decide, whether the invitee is already a member the application's.
func NewInvitation(p NewInvitationParams) (*Invitation, error) {
	if p.OrganizationID.IsZero() || p.InviterID.IsZero() || p.TokenHash == [32]byte{} {
		return nil, fmt.Errorf("new invitation: zero organization ID, inviter ID or token hash")
	}
	var fields []kernel.FieldError
	email, err := ParseEmail(p.Email)
	if err != nil {
		fields = append(fields, kernel.FieldsOf(err)...)
	}
	if err := checkInvitedRole(p.Role); err != nil {
		fields = append(fields, kernel.FieldsOf(err)...)
	}
	if len(fields) > 0 {
		return nil, invalidAggregate("tenancy.invalid_invitation", "invitation", fields)
	}
	return &Invitation{
		id: kernel.NewID[InvitationKind](), orgID: p.OrganizationID, email: email, role: p.Role,
		inviterID: p.InviterID, tokenHash: p.TokenHash, expiresAt: p.Now.Add(InvitationTTL),
		status: InvitationPending, createdAt: p.Now, updatedAt: p.Now,
	}, nil
}

func checkInvitedRole(role string) error {
	if err := checkRoleRef(role); err != nil {
		return err
	}
	if role == RoleOwner {
		return invalidField("role", "an invitation cannot make an owner; transfer ownership instead")
	}
	return nil
}

// InvitationSnapshot is an invitation's state, for repositories.
type InvitationSnapshot struct {
	ID             InvitationID
	OrganizationID kernel.OrganizationID
	Email          string
	Role           string
	InviterID      kernel.UserID
	TokenHash      [32]byte
	ExpiresAt      time.Time
	Status         InvitationStatus
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// RehydrateInvitation rebuilds an invitation from stored state without
// validating it; for repositories only.
func RehydrateInvitation(s InvitationSnapshot) *Invitation {
	return &Invitation{
		id: s.ID, orgID: s.OrganizationID, email: kernel.RehydrateEmail(s.Email), role: s.Role, inviterID: s.InviterID,
		tokenHash: s.TokenHash, expiresAt: s.ExpiresAt, status: s.Status, createdAt: s.CreatedAt, updatedAt: s.UpdatedAt,
	}
}

// Snapshot returns i's state for a repository to store.
func (i *Invitation) Snapshot() InvitationSnapshot {
	return InvitationSnapshot{
		ID: i.id, OrganizationID: i.orgID, Email: i.email.String(), Role: i.role, InviterID: i.inviterID,
		TokenHash: i.tokenHash, ExpiresAt: i.expiresAt, Status: i.status, CreatedAt: i.createdAt, UpdatedAt: i.updatedAt,
	}
}

// ID returns the invitation's ID.
func (i *Invitation) ID() InvitationID { return i.id }

// OrganizationID returns the inviting organization.
func (i *Invitation) OrganizationID() kernel.OrganizationID { return i.orgID }

// Email returns the invitee's address.
func (i *Invitation) Email() Email { return i.email }

// Role returns the name of the role the invitee gets.
func (i *Invitation) Role() string { return i.role }

// InviterID returns who sent the invitation.
func (i *Invitation) InviterID() kernel.UserID { return i.inviterID }

// TokenHash returns the SHA-256 of the invitation's token.
func (i *Invitation) TokenHash() [32]byte { return i.tokenHash }

// ExpiresAt returns the first instant the invitation is expired.
func (i *Invitation) ExpiresAt() time.Time { return i.expiresAt }

// Status returns the stored status; StatusAt also accounts for expiry.
func (i *Invitation) Status() InvitationStatus { return i.status }

// StatusAt returns the status at now: a pending invitation at or past its
// expiry reads as expired.
func (i *Invitation) StatusAt(now time.Time) InvitationStatus {
	if i.status == InvitationPending && !now.Before(i.expiresAt) {
		return InvitationExpired
	}
	return i.status
}

// CreatedAt returns when the invitation was created.
func (i *Invitation) CreatedAt() time.Time { return i.createdAt }

// UpdatedAt returns when the invitation last changed.
func (i *Invitation) UpdatedAt() time.Time { return i.updatedAt }

// IsOpen reports whether the invitation can still be accepted at now.
func (i *Invitation) IsOpen(now time.Time) bool { return i.StatusAt(now) == InvitationPending }

// Accept marks the invitation accepted by the signed-in user whose verified
// address is userEmail. It returns ErrInvitationGone (Gone
// "tenancy.invitation_gone") unless it is open at now, then
// ErrInvitationEmailMismatch (Forbidden
// "tenancy.invitation_email_mismatch") unless userEmail matches, ignoring
// case.
func (i *Invitation) Accept(now time.Time, userEmail string) error {
	if !i.IsOpen(now) {
		return ErrInvitationGone
	}
	if !i.email.Matches(userEmail) {
		return ErrInvitationEmailMismatch
	}
	i.status, i.updatedAt = InvitationAccepted, now
	return nil
}

// Decline marks the invitation declined. It returns ErrInvitationGone
// unless it is open at now.
func (i *Invitation) Decline(now time.Time) error {
	return i.close(InvitationDeclined, now)
}

// Revoke marks the invitation revoked. It returns ErrInvitationGone unless
// it is open at now.
func (i *Invitation) Revoke(now time.Time) error {
	return i.close(InvitationRevoked, now)
}

// Expire records that a pending invitation has expired, for a sweeper; it
// reports whether it changed anything (false before expiry or when the
// invitation is not pending).
func (i *Invitation) Expire(now time.Time) bool {
	if i.status != InvitationPending || now.Before(i.expiresAt) {
		return false
	}
	i.status, i.updatedAt = InvitationExpired, now
	return true
}

func (i *Invitation) close(to InvitationStatus, now time.Time) error {
	if !i.IsOpen(now) {
		return ErrInvitationGone
	}
	i.status, i.updatedAt = to, now
	return nil
}

// Resend replaces the token hash (the old link stops working) and restarts
// the expiry at now. A pending invitation can be resent even past its
// expiry — that is what resending is for; any other stored status returns
// ErrInvitationGone, and a zero hash a plain error.
func (i *Invitation) Resend(newHash [32]byte, now time.Time) error {
	if newHash == [32]byte{} {
		return fmt.Errorf("resend invitation: zero token hash")
	}
	if i.status != InvitationPending {
		return ErrInvitationGone
	}
	i.tokenHash, i.expiresAt, i.updatedAt = newHash, now.Add(InvitationTTL), now
	return nil
}
