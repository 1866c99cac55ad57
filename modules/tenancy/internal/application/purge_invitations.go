package application

import (
	"context"
	"math"
	"time"
)

// PurgeInvitations removes invitations closed or expired more than
// InvitationRetention ago, and the record of sends older than a day.
func (s *Service) PurgeInvitations(ctx context.Context) (int, error) {
	now := s.deps.Clock.Now()
	if _, err := s.deps.Invitations.DeleteSendsBefore(ctx, now.Add(-sendRetention)); err != nil {
		return 0, err
	}
	return s.deps.Invitations.DeleteClosedBefore(ctx, now.Add(-InvitationRetention))
}

// InvitationRetention is how long closed invitations stay listable.
const InvitationRetention = 30 * 24 * time.Hour

// ExpiresInDays is d in whole days, rounded up.
func ExpiresInDays(d time.Duration) int { return int(math.Ceil(d.Hours() / 24)) }

// displayName is how an invitation names a user: their name, else their
// email.
func (u UserInfo) displayName() string {
	if u.Name != "" {
		return u.Name
	}
	return u.Email
}
