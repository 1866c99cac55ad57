package application

import (
	"context"
	"fmt"
)

// PurgeExpired removes expired sessions and spent or expired tokens.
//
// It runs two independent deletes; no transaction is needed, and
// a failure of the second leaves the first's work done (the job retries).
func (s *Service) PurgeExpired(ctx context.Context) (sessions, tokens int, err error) {
	now := s.deps.Clock.Now()
	if sessions, err = s.deps.Sessions.DeleteExpired(ctx, now); err != nil {
		return 0, 0, fmt.Errorf("purge expired sessions: %w", err)
	}
	if tokens, err = s.deps.Tokens.DeleteExpired(ctx, now); err != nil {
		return sessions, 0, fmt.Errorf("purge expired tokens: %w", err)
	}
	return sessions, tokens, nil
}
