package domain

import (
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/groundworkhq/groundwork/kernel"
)

// ErrUserDeactivated is returned by User.CanSignIn for a deactivated user:
// Better Auth's admin plugin's answer to a banned user (403 BANNED_USER).
// Sign-in must not show it to someone who has not proved the password, or it
// would tell whether an account exists: the application decides.
var ErrUserDeactivated = kernel.Forbidden("BANNED_USER",
	"You have been banned from this application. Please contact support if you believe this is an error.")

// MaxDeactivationReasonLength bounds the reason a deactivation records.
const MaxDeactivationReasonLength = 500

// User is the iam aggregate: a person who signs in. Its invariants: the email
// is always a valid address, every profile field is valid, and changing the
// email clears its verification. Username uniqueness, which spans users, is
// the repository's to enforce.
type User struct {
	id            kernel.UserID
	email         Email
	emailVerified bool
	name          DisplayName
	username      Username
	locale        Locale
	image         ImageURL
	active        bool
	deactivation  Deactivation // when !active
	platformAdmin bool
	passwordHash  string
	lastLoginAt   *time.Time
	createdAt     time.Time
	updatedAt     time.Time
}

// Deactivation is why and until when a user is deactivated: Reason as the
// admin gave it, Until nil for "until reactivated". The zero Deactivation
// is an active user's.
type Deactivation struct {
	Reason string
	Until  *time.Time
}

// NewUserParams is the raw input of NewUser. Username, Locale and Image may
// be empty; PasswordHash is a PHC string from the password hasher, or empty
// for a user who has yet to set a password (created by an admin).
type NewUserParams struct {
	Email        string
	Name         string
	Username     string
	Locale       string
	Image        string
	PasswordHash string
	Now          time.Time
}

// NewUser validates p and returns an active, unverified, non-admin user with
// a fresh ID. Every invalid field is reported at once, in one Invalid error
// with code "iam.invalid_user" holding a field error per bad field (email,
// name, username, locale, image), so a form can show every mistake. A
// PasswordHash that is not PHC-encoded is a programming error and gives an
// Internal error.
func NewUser(p NewUserParams) (*User, error) {
	var fields []kernel.FieldError
	check := func(err error) {
		if err != nil {
			fields = append(fields, kernel.FieldsOf(err)...)
		}
	}
	email, err := ParseEmail(p.Email)
	check(err)
	name, err := ParseDisplayName(p.Name)
	check(err)
	username, err := ParseUsername(p.Username)
	check(err)
	locale, err := ParseLocale(p.Locale)
	check(err)
	image, err := ParseImageURL(p.Image)
	check(err)
	if len(fields) > 0 {
		return nil, invalidUser(fields)
	}
	if p.PasswordHash != "" {
		if err := checkPasswordHash(p.PasswordHash); err != nil {
			return nil, err
		}
	}
	return &User{
		id:           kernel.NewID[kernel.UserKind](),
		email:        email,
		name:         name,
		username:     username,
		locale:       locale,
		image:        image,
		active:       true,
		passwordHash: p.PasswordHash,
		createdAt:    p.Now,
		updatedAt:    p.Now,
	}, nil
}

func invalidUser(fields []kernel.FieldError) error {
	return kernel.Invalid("iam.invalid_user", "Some fields are not valid.", fields...)
}

// checkPasswordHash makes sure h looks like a PHC string ("$alg$…"); the
// password package owns the details.
func checkPasswordHash(h string) error {
	if !strings.HasPrefix(h, "$") || strings.ContainsAny(h, " \t\r\n") {
		return kernel.Internal(errors.New("iam: password hash is not PHC-encoded"))
	}
	return nil
}

// UserSnapshot is every field of a User in plain form: what a repository
// stores and RehydrateUser reads, and what read models may copy. It holds the
// password hash; never serialize it to a client.
type UserSnapshot struct {
	ID            kernel.UserID
	Email         string
	EmailVerified bool
	Name          string
	Username      string // "" when unset
	Locale        string // "" when unset
	Image         string // "" when unset
	Active        bool
	// DeactivationReason and DeactivatedUntil describe a deactivation
	// ("" and nil while active; nil until: until reactivated).
	DeactivationReason string
	DeactivatedUntil   *time.Time
	PlatformAdmin      bool
	PasswordHash       string     // "" when no password is set
	LastLoginAt        *time.Time // nil before the first sign-in
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// RehydrateUser rebuilds a User from stored state without validating it;
// only repositories call it.
func RehydrateUser(s UserSnapshot) *User {
	return &User{
		id:            s.ID,
		email:         kernel.RehydrateEmail(s.Email),
		emailVerified: s.EmailVerified,
		name:          DisplayName{s: s.Name},
		username:      Username{s: s.Username},
		locale:        Locale{s: s.Locale},
		image:         ImageURL{s: s.Image},
		active:        s.Active,
		deactivation:  Deactivation{Reason: s.DeactivationReason, Until: copyTime(s.DeactivatedUntil)},
		platformAdmin: s.PlatformAdmin,
		passwordHash:  s.PasswordHash,
		lastLoginAt:   copyTime(s.LastLoginAt),
		createdAt:     s.CreatedAt,
		updatedAt:     s.UpdatedAt,
	}
}

// Snapshot returns the user's state; changing it does not change the user.
func (u *User) Snapshot() UserSnapshot {
	return UserSnapshot{
		ID:                 u.id,
		Email:              u.email.String(),
		EmailVerified:      u.emailVerified,
		Name:               u.name.String(),
		Username:           u.username.String(),
		Locale:             u.locale.String(),
		Image:              u.image.String(),
		Active:             u.active,
		DeactivationReason: u.deactivation.Reason,
		DeactivatedUntil:   copyTime(u.deactivation.Until),
		PlatformAdmin:      u.platformAdmin,
		PasswordHash:       u.passwordHash,
		LastLoginAt:        copyTime(u.lastLoginAt),
		CreatedAt:          u.createdAt,
		UpdatedAt:          u.updatedAt,
	}
}

func copyTime(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	c := *t
	return &c
}

// ID returns the user's ID.
func (u *User) ID() kernel.UserID { return u.id }

// Email returns the address the user signs in with.
func (u *User) Email() Email { return u.email }

// EmailVerified reports whether the current email has been verified.
func (u *User) EmailVerified() bool { return u.emailVerified }

// Name returns the display name (possibly empty).
func (u *User) Name() DisplayName { return u.name }

// Username returns the username (zero when unset).
func (u *User) Username() Username { return u.username }

// Locale returns the preferred locale (zero when unset).
func (u *User) Locale() Locale { return u.locale }

// Image returns the picture URL (zero when unset).
func (u *User) Image() ImageURL { return u.image }

// Active reports whether the user is not deactivated (ActiveAt says
// whether a deactivation with an end has ended).
func (u *User) Active() bool { return u.active }

// ActiveAt reports whether the user may sign in at now: active, or
// deactivated until a time that has come.
func (u *User) ActiveAt(now time.Time) bool {
	return u.active || (u.deactivation.Until != nil && !now.Before(*u.deactivation.Until))
}

// Deactivation returns why and until when the user is deactivated; the
// zero Deactivation while active.
func (u *User) Deactivation() Deactivation {
	d := u.deactivation
	d.Until = copyTime(d.Until)
	return d
}

// PlatformAdmin reports whether the user administers the whole platform.
func (u *User) PlatformAdmin() bool { return u.platformAdmin }

// PasswordHash returns the PHC-encoded password hash, "" when none is set.
func (u *User) PasswordHash() string { return u.passwordHash }

// HasPassword reports whether a password is set.
func (u *User) HasPassword() bool { return u.passwordHash != "" }

// LastLoginAt returns the time of the last sign-in; false before the first.
func (u *User) LastLoginAt() (time.Time, bool) {
	if u.lastLoginAt == nil {
		return time.Time{}, false
	}
	return *u.lastLoginAt, true
}

// CreatedAt returns when the user was created.
func (u *User) CreatedAt() time.Time { return u.createdAt }

// UpdatedAt returns when the user's profile or state last changed; signing
// in does not count.
func (u *User) UpdatedAt() time.Time { return u.updatedAt }

// CanSignIn returns ErrUserDeactivated when the user is deactivated at now
// (ActiveAt), else nil. Whether a password is set and whether the email
// must be verified are separate checks (HasPassword, EmailVerified) the
// application makes.
func (u *User) CanSignIn(now time.Time) error {
	if !u.ActiveAt(now) {
		return ErrUserDeactivated
	}
	return nil
}

// VerifyEmail marks the current email as verified and reports whether it was
// not already.
func (u *User) VerifyEmail(now time.Time) (changed bool) {
	if u.emailVerified {
		return false
	}
	u.emailVerified = true
	u.updatedAt = now
	return true
}

// ChangeEmail sets a new email, which then needs verifying again, and reports
// whether it differs from the current one (the same address changes
// nothing). The zero Email gives an Invalid error with code
// "iam.invalid_email".
func (u *User) ChangeEmail(e Email, now time.Time) (changed bool, err error) {
	if e.IsZero() {
		return false, invalidField("email", "must not be empty")
	}
	if e == u.email {
		return false, nil
	}
	u.email = e
	u.emailVerified = false
	u.updatedAt = now
	return true, nil
}

// Rename sets the display name and reports whether it changed.
func (u *User) Rename(n DisplayName, now time.Time) (changed bool) {
	return set(&u.name, n, &u.updatedAt, now)
}

// ChangeUsername sets the username (zero to clear it) and reports whether it
// changed. The repository refuses a username another user holds.
func (u *User) ChangeUsername(n Username, now time.Time) (changed bool) {
	return set(&u.username, n, &u.updatedAt, now)
}

// ChangeLocale sets the locale (zero to clear it) and reports whether it
// changed.
func (u *User) ChangeLocale(l Locale, now time.Time) (changed bool) {
	return set(&u.locale, l, &u.updatedAt, now)
}

// ChangeImage sets the picture URL (zero to clear it) and reports whether it
// changed.
func (u *User) ChangeImage(i ImageURL, now time.Time) (changed bool) {
	return set(&u.image, i, &u.updatedAt, now)
}

// SetPlatformAdmin grants or revokes platform administration and reports
// whether it changed.
func (u *User) SetPlatformAdmin(admin bool, now time.Time) (changed bool) {
	return set(&u.platformAdmin, admin, &u.updatedAt, now)
}

func set[T comparable](field *T, v T, updatedAt *time.Time, now time.Time) bool {
	if *field == v {
		return false
	}
	*field = v
	*updatedAt = now
	return true
}

// SetPasswordHash stores a new PHC-encoded password hash (after a sign-up,
// a change, a reset, or a rehash with new parameters). The caller revokes
// sessions as DESIGN.md §4 says. An empty or non-PHC hash is a programming
// error and gives an Internal error.
func (u *User) SetPasswordHash(h string, now time.Time) error {
	if err := checkPasswordHash(h); err != nil {
		return err
	}
	u.passwordHash = h
	u.updatedAt = now
	return nil
}

// RecordLogin notes a successful sign-in. It leaves UpdatedAt alone.
func (u *User) RecordLogin(now time.Time) {
	u.lastLoginAt = &now
}

// Deactivate stops the user from signing in, until d.Until if set (a time
// after now) or until reactivated, and reports whether anything changed;
// deactivating again replaces the reason and the end. The reason is
// trimmed and at most MaxDeactivationReasonLength runes; a bad one or an
// end not after now is an Invalid error with code "iam.invalid_deactivation"
// naming the field. The caller revokes the user's sessions.
func (u *User) Deactivate(d Deactivation, now time.Time) (changed bool, err error) {
	d.Reason = strings.TrimSpace(d.Reason)
	if utf8.RuneCountInString(d.Reason) > MaxDeactivationReasonLength || kernel.HasUnsafeText(d.Reason) {
		return false, kernel.Invalid("iam.invalid_deactivation", "The reason is too long or holds control characters.",
			kernel.FieldError{Field: "reason", Code: "invalid", Message: "At most 500 characters, no control characters."})
	}
	if d.Until != nil && !d.Until.After(now) {
		return false, kernel.Invalid("iam.invalid_deactivation", "The end of the deactivation must be in the future.",
			kernel.FieldError{Field: "until", Code: "invalid", Message: "Must be after now."})
	}
	if !u.active && u.deactivation.Reason == d.Reason && equalTimes(u.deactivation.Until, d.Until) {
		return false, nil
	}
	u.active = false
	u.deactivation = Deactivation{Reason: d.Reason, Until: copyTime(d.Until)}
	u.updatedAt = now
	return true, nil
}

func equalTimes(a, b *time.Time) bool {
	return (a == nil) == (b == nil) && (a == nil || a.Equal(*b))
}

// Reactivate lets a deactivated user sign in again and reports whether the
// user was inactive.
func (u *User) Reactivate(now time.Time) (changed bool) {
	u.deactivation = Deactivation{}
	return set(&u.active, true, &u.updatedAt, now)
}

// UserPatch is a partial update of a user's profile: a nil field is left
// alone, a pointer to "" clears an optional field (username, locale, image)
// or empties the name.
type UserPatch struct {
	Name     *string
	Username *string
	Locale   *string
	Image    *string
	Active   *bool
}

// The field names User.Update reports, in the order it reports them.
const (
	FieldName     = "name"
	FieldUsername = "username"
	FieldLocale   = "locale"
	FieldImage    = "image"
	FieldActive   = "active"
)

// Update applies p atomically: it validates every field first and, if any is
// invalid, changes nothing and returns one Invalid error with code
// "iam.invalid_user" listing every bad field. Otherwise it applies the patch
// and returns the names of the fields whose value actually changed (FieldName
// … FieldActive, in that order), for events and the audit log; none means
// nothing changed and UpdatedAt is untouched.
func (u *User) Update(p UserPatch, now time.Time) (changes []string, err error) {
	var (
		fields   []kernel.FieldError
		name     DisplayName
		username Username
		locale   Locale
		image    ImageURL
	)
	for _, err := range []error{
		parsePatched(p.Name, ParseDisplayName, &name),
		parsePatched(p.Username, ParseUsername, &username),
		parsePatched(p.Locale, ParseLocale, &locale),
		parsePatched(p.Image, ParseImageURL, &image),
	} {
		fields = append(fields, kernel.FieldsOf(err)...)
	}
	if len(fields) > 0 {
		return nil, invalidUser(fields)
	}
	if p.Name != nil && u.Rename(name, now) {
		changes = append(changes, FieldName)
	}
	if p.Username != nil && u.ChangeUsername(username, now) {
		changes = append(changes, FieldUsername)
	}
	if p.Locale != nil && u.ChangeLocale(locale, now) {
		changes = append(changes, FieldLocale)
	}
	if p.Image != nil && u.ChangeImage(image, now) {
		changes = append(changes, FieldImage)
	}
	if p.Active != nil && set(&u.active, *p.Active, &u.updatedAt, now) {
		changes = append(changes, FieldActive)
	}
	return changes, nil
}

// parsePatched parses a patched field into dst with parse; a nil s (the
// field is not in the patch) leaves dst alone and is no error.
func parsePatched[T any](s *string, parse func(string) (T, error), dst *T) error {
	if s == nil {
		return nil
	}
	v, err := parse(*s)
	*dst = v
	return err
}
