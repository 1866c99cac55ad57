package httpapi

import (
	"encoding/json"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/groundworkhq/groundwork/modules/iam/internal/application"
)

// User is a user as /api/auth and /api/users show it: Better Auth's user
// fields, then Groundwork's. Unset optional fields are null, as Better
// Auth's image is.
type User struct {
	ID            string  `json:"id" doc:"The user's ID (usr_…)."`
	Email         string  `json:"email" doc:"The email address, lower-cased."`
	EmailVerified bool    `json:"emailVerified" doc:"Whether the user proved they own the email address."`
	Name          string  `json:"name" doc:"The display name; may be empty."`
	Image         *string `json:"image" doc:"The picture's URL; null when none."`
	CreatedAt     Time    `json:"createdAt"`
	UpdatedAt     Time    `json:"updatedAt"`
	Username      *string `json:"username" doc:"The optional unique username; null when none."`
	Locale        *string `json:"locale" doc:"The preferred locale (BCP 47); null when none."`
	Active        bool    `json:"active" doc:"False once an administrator deactivated the user."`
}

func userJSON(v application.UserView) User {
	return User{
		ID:            v.ID.String(),
		Email:         v.Email,
		EmailVerified: v.EmailVerified,
		Name:          v.Name,
		Image:         nullable(v.Image),
		CreatedAt:     Time{v.CreatedAt},
		UpdatedAt:     Time{v.UpdatedAt},
		Username:      nullable(v.Username),
		Locale:        nullable(v.Locale),
		Active:        v.Active,
	}
}

// AdminUser is a user as the tenant-scoped /api/users shows it: the
// account, and the membership's status in the organization.
type AdminUser struct {
	User
	LastLoginAt *Time  `json:"lastLoginAt" doc:"The last sign-in; null if never."`
	Status      string `json:"status" enum:"active,suspended" doc:"The membership in this organization: suspended grants nothing here until reinstated (active is the account's own state)."`
}

func adminUserJSON(v application.MemberView) AdminUser {
	u := AdminUser{User: userJSON(v.UserView), Status: "active"}
	if v.LastLoginAt != nil {
		u.LastLoginAt = &Time{*v.LastLoginAt}
	}
	if v.Suspended {
		u.Status = "suspended"
	}
	return u
}

// Session is a session as /api/auth shows it. Token is the session's ID:
// an opaque handle for revoke-session, never the credential the cookie
// carries.
type Session struct {
	ID             string  `json:"id" doc:"The session's ID (ses_…)."`
	UserID         string  `json:"userId"`
	Token          string  `json:"token" doc:"An opaque handle naming this session (its ID), for revoke-session. It is not a credential: unlike Better Auth's, it cannot authenticate a request."`
	ExpiresAt      Time    `json:"expiresAt"`
	CreatedAt      Time    `json:"createdAt"`
	UpdatedAt      Time    `json:"updatedAt"`
	IPAddress      *string `json:"ipAddress" doc:"The client address at sign-in; null if unknown."`
	UserAgent      *string `json:"userAgent" doc:"The client's User-Agent at sign-in; null if none."`
	ImpersonatedBy *string `json:"impersonatedBy,omitempty" doc:"The platform admin acting as the user, when impersonated."`
}

func sessionJSON(v application.SessionView) Session {
	s := Session{
		ID:        v.ID.String(),
		UserID:    v.UserID.String(),
		Token:     v.ID.String(),
		ExpiresAt: Time{v.ExpiresAt},
		CreatedAt: Time{v.CreatedAt},
		UpdatedAt: Time{v.UpdatedAt},
		IPAddress: nullable(v.IPAddress),
		UserAgent: nullable(v.UserAgent),
	}
	if !v.ImpersonatedBy.IsZero() {
		s.ImpersonatedBy = nullable(v.ImpersonatedBy.String())
	}
	return s
}

// Time is an instant as /api/auth and /api/users write it: RFC 3339 in UTC
// with exactly three fractional digits, as JavaScript's Date.toISOString
// writes it. Better Auth's client turns date strings into Dates with a
// parser that reads every fractional digit as milliseconds, so Go's default
// (up to nine digits) would be misread: ".123456" as 123 seconds. Finer
// precision is dropped.
type Time struct{ time.Time }

const jsTimeLayout = "2006-01-02T15:04:05.000Z07:00"

// MarshalJSON writes the instant in UTC with millisecond precision.
func (t Time) MarshalJSON() ([]byte, error) {
	return []byte(`"` + t.UTC().Format(jsTimeLayout) + `"`), nil
}

// UnmarshalJSON reads any RFC 3339 time.
func (t *Time) UnmarshalJSON(b []byte) error { return t.Time.UnmarshalJSON(b) }

// Schema describes the field as an RFC 3339 date-time string.
func (Time) Schema(huma.Registry) *huma.Schema {
	return &huma.Schema{Type: huma.TypeString, Format: "date-time"}
}

// nullable is s, or nil (JSON null) when s is empty.
func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// optionalString is a body field that may be absent, null or a string, so
// a patch can tell "leave alone" (absent) from "clear" (null or "").
type optionalString struct {
	set   bool
	value string
}

// UnmarshalJSON records that the field was present; null reads as "".
func (o *optionalString) UnmarshalJSON(b []byte) error {
	o.set = true
	if string(b) == "null" {
		o.value = ""
		return nil
	}
	return json.Unmarshal(b, &o.value)
}

// Schema describes the field as a nullable string.
func (optionalString) Schema(huma.Registry) *huma.Schema {
	return &huma.Schema{Type: huma.TypeString, Nullable: true}
}

// patch returns nil when the field was absent, else a pointer to its value.
func (o optionalString) patch() *string {
	if !o.set {
		return nil
	}
	v := o.value
	return &v
}
