package application

import (
	"context"
	"errors"
	"fmt"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/iam/internal/domain"
)

// SignUp creates the user and, unless email verification is required, a
// session. It sends the verification email. Errors: kernel.Invalid with
// field errors (also PASSWORD_TOO_SHORT / PASSWORD_TOO_LONG), Conflict
// USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL, RateLimited.
func (s *Service) SignUp(ctx context.Context, in SignUpInput) (UserView, *Issued, error) {
	now := s.deps.Clock.Now()
	if err := s.hitIP(ctx, "signup", in.Meta.IP, s.limits.SignUpPerIP, now); err != nil {
		return UserView{}, nil, err
	}
	u, err := s.validateSignUp(in)
	if err != nil {
		return UserView{}, nil, err
	}
	// Refuse a taken email before spending a hash on it; Create still
	// catches the race.
	switch _, err := s.deps.Users.ByEmail(ctx, u.Email()); {
	case err == nil:
		return UserView{}, nil, ErrUserAlreadyExists
	case !errors.Is(err, ErrUserNotFound):
		return UserView{}, nil, fmt.Errorf("sign up: %w", err)
	}
	hash, err := s.deps.Hasher.Hash(ctx, in.Password)
	if err != nil {
		return UserView{}, nil, fmt.Errorf("sign up: %w", err)
	}
	if err := u.SetPasswordHash(hash, now); err != nil {
		return UserView{}, nil, fmt.Errorf("sign up: %w", err)
	}
	var (
		sessToken kernel.Token
		sess      *domain.Session
	)
	if !s.cfg.RequireEmailVerification {
		if sessToken, sess, err = newSession(u, now, in.Meta); err != nil {
			return UserView{}, nil, fmt.Errorf("sign up: %w", err)
		}
		u.RecordLogin(now)
	}

	err = s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		if err := s.deps.Users.Create(ctx, u); err != nil {
			return err
		}
		err := s.mailLink(ctx, u, domain.PurposeEmailVerification, false, func(ctx context.Context, t kernel.Token) error {
			return s.deps.Emails.VerifyEmail(ctx, u, s.verifyEmailURL(t, in.CallbackURL))
		})
		if err != nil {
			return err
		}
		events := []kernel.Event{UserCreated{
			UserID: u.ID(), Email: u.Email().String(), Name: u.Name().String(), Locale: u.Locale().String(),
		}}
		if sess != nil {
			if err := s.deps.Sessions.Create(ctx, sess); err != nil {
				return err
			}
			events = append(events, UserSignedIn{
				UserID: u.ID(), SessionID: sess.ID(), IP: sess.IPAddress(), UserAgent: sess.UserAgent(),
			})
		}
		return s.deps.Events.Publish(ctx, events...)
	})
	if err != nil {
		return UserView{}, nil, fmt.Errorf("sign up: %w", err)
	}
	view := userView(u)
	if sess == nil {
		return view, nil, nil
	}
	return view, &Issued{Token: sessToken, Session: sessionView(sess), User: view}, nil
}

// validateSignUp checks every field and returns the new user, without a
// password hash yet. A password-only failure is the policy's own error
// (PASSWORD_TOO_SHORT / PASSWORD_TOO_LONG, as Better Auth answers); when
// other fields fail too, one iam.invalid_user lists them all, the password
// included, so a form can show every mistake at once.
func (s *Service) validateSignUp(in SignUpInput) (*domain.User, error) {
	policyErr := domain.CheckPasswordPolicy(in.Password)
	u, userErr := domain.NewUser(domain.NewUserParams{
		Email: in.Email, Name: in.Name, Username: in.Username, Locale: in.Locale, Image: in.Image,
		Now: s.deps.Clock.Now(),
	})
	var fields []kernel.FieldError
	if userErr != nil {
		e := kernel.AsError(userErr)
		if e == nil || e.Kind != kernel.KindInvalid {
			return nil, fmt.Errorf("sign up: %w", userErr)
		}
		fields = append(fields, e.Fields...)
	}
	callbackOK := in.CallbackURL == "" || s.TrustedURL(in.CallbackURL)
	switch {
	case userErr == nil && callbackOK && policyErr == nil:
		return u, nil
	case userErr == nil && callbackOK:
		return nil, policyErr
	case userErr == nil && policyErr == nil:
		return nil, ErrInvalidCallbackURL
	}
	if policyErr != nil {
		fields = append(fields, kernel.AsError(policyErr).Fields...)
	}
	if !callbackOK {
		fields = append(fields, ErrInvalidCallbackURL.Fields...)
	}
	return nil, kernel.Invalid("iam.invalid_user", "Some fields are not valid.", fields...)
}
