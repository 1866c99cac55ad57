package application

import (
	"github.com/groundworkhq/groundwork/modules/iam/internal/domain"
)

// userView is u as the API shows it; never the password hash.
func userView(u *domain.User) UserView {
	v := UserView{
		ID:            u.ID(),
		Email:         u.Email().String(),
		EmailVerified: u.EmailVerified(),
		Name:          u.Name().String(),
		Image:         u.Image().String(),
		Username:      u.Username().String(),
		Locale:        u.Locale().String(),
		Active:        u.Active(),
		PlatformAdmin: u.PlatformAdmin(),
		CreatedAt:     u.CreatedAt(),
		UpdatedAt:     u.UpdatedAt(),
	}
	if t, ok := u.LastLoginAt(); ok {
		v.LastLoginAt = &t
	}
	return v
}

// sessionView is s as the API shows it; never the token or its hash.
func sessionView(s *domain.Session) SessionView {
	return SessionView{
		ID:             s.ID(),
		UserID:         s.UserID(),
		ExpiresAt:      s.ExpiresAt(),
		CreatedAt:      s.CreatedAt(),
		UpdatedAt:      s.UpdatedAt(),
		IPAddress:      s.IPAddress(),
		UserAgent:      s.UserAgent(),
		ImpersonatedBy: s.ImpersonatorID(),
	}
}
