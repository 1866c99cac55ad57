package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/iam/internal/application"
	"github.com/groundworkhq/groundwork/modules/iam/internal/domain"
)

// MaxListLimit bounds what one Users.List returns, a guard against an
// unbounded query; a non-positive limit means it too. It is not the page
// size, which the application chooses (up to 200, asking one more to learn
// whether a next page exists), and so sits well above it.
const MaxListLimit = 1000

// The conflicts a unique key of users gives; codes and messages are Better
// Auth's.
var (
	errUserExists    = kernel.Conflict("USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL", "User already exists. Use another email.")
	errUsernameTaken = kernel.Conflict("USERNAME_IS_ALREADY_TAKEN", "Username is already taken. Please try another.")
)

// Users stores the User aggregate in the users table.
type Users struct {
	db *db.DB
}

var _ application.Users = (*Users)(nil)

// userColumns are the users columns in the order scanUser reads them.
var userColumns = []string{
	"id", "email", "email_verified", "name", "username", "locale", "image",
	"active", "platform_admin", "password_hash", "last_login_at", "created_at", "updated_at",
	"deactivation_reason", "deactivated_until",
}

// selectColumns joins columns, each qualified by alias when one is given.
func selectColumns(alias string, cols []string) string {
	if alias == "" {
		return strings.Join(cols, ", ")
	}
	return alias + "." + strings.Join(cols, ", "+alias+".")
}

var selectUser = `SELECT ` + selectColumns("", userColumns) + ` FROM users`

// Create stores a new user, in the transaction ctx carries or on the
// writer. A taken email gives kernel.Conflict "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL", a taken
// username "USERNAME_IS_ALREADY_TAKEN". On PostgreSQL a conflict aborts the
// caller's transaction: the caller rolls back.
func (r *Users) Create(ctx context.Context, u *domain.User) error {
	s := u.Snapshot()
	_, err := db.Exec(ctx, r.db.QW(ctx), "create user", `INSERT INTO users (`+selectColumns("", userColumns)+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
		s.ID, s.Email, s.EmailVerified, s.Name, nullString(s.Username), s.Locale, s.Image,
		s.Active, s.PlatformAdmin, s.PasswordHash, s.LastLoginAt, s.CreatedAt, s.UpdatedAt,
		s.DeactivationReason, s.DeactivatedUntil)
	return uniqueUserError(err)
}

// ByID returns the user, or application.ErrUserNotFound.
func (r *Users) ByID(ctx context.Context, id kernel.UserID) (*domain.User, error) {
	return r.one(ctx, selectUser+` WHERE id = $1`, id)
}

// ByEmail returns the user with the normalized address e, or
// application.ErrUserNotFound. The domain lower-cases every address, so an
// exact match is a case-insensitive one.
func (r *Users) ByEmail(ctx context.Context, e domain.Email) (*domain.User, error) {
	return r.one(ctx, selectUser+` WHERE email = $1`, e.String())
}

func (r *Users) one(ctx context.Context, query string, arg any) (*domain.User, error) {
	return db.QueryOne(ctx, r.db.Q(ctx), scanUserRow, application.ErrUserNotFound, "get user", query, arg)
}

// Update loads the user for update, applies fn and, unless fn fails, writes
// every column back. It joins the transaction ctx carries or opens one, so
// the read and the write are atomic: on PostgreSQL the row is locked
// (SELECT … FOR UPDATE), on SQLite the single writer serializes write
// transactions. fn's error is returned as it is and nothing is written.
// It returns application.ErrUserNotFound for an unknown user and the
// conflicts of Create for a taken email or username.
func (r *Users) Update(ctx context.Context, id kernel.UserID, fn func(u *domain.User) error) error {
	return r.db.Tx(ctx, func(ctx context.Context) error {
		q := r.db.Q(ctx)
		u, err := scanUser(q.QueryRow(ctx, selectUser+` WHERE id = $1`+r.db.ForUpdate(), id))
		if errors.Is(err, db.ErrNoRows) {
			return application.ErrUserNotFound
		}
		if err != nil {
			return fmt.Errorf("update user: %w", err)
		}
		if err := fn(u); err != nil {
			return err
		}
		s := u.Snapshot()
		n, err := q.Exec(ctx, `UPDATE users SET email = $2, email_verified = $3, name = $4, username = $5,
			locale = $6, image = $7, active = $8, platform_admin = $9, password_hash = $10,
			last_login_at = $11, created_at = $12, updated_at = $13, deactivation_reason = $14, deactivated_until = $15
			WHERE id = $1`,
			id, s.Email, s.EmailVerified, s.Name, nullString(s.Username), s.Locale, s.Image,
			s.Active, s.PlatformAdmin, s.PasswordHash, s.LastLoginAt, s.CreatedAt, s.UpdatedAt,
			s.DeactivationReason, s.DeactivatedUntil)
		if err != nil {
			return fmt.Errorf("update user: %w", uniqueUserError(err))
		}
		if n != 1 { // the row was loaded in this transaction: cannot happen
			return fmt.Errorf("update user: %d rows updated", n)
		}
		return nil
	})
}

// RecordSignIn sets last_login_at, as User.RecordLogin does, where the
// password hash is still verifiedHash, and returns the row: one statement
// where Update takes two, on the path of every sign-in.
func (r *Users) RecordSignIn(ctx context.Context, id kernel.UserID, verifiedHash string, at time.Time) (*domain.User, error) {
	u, err := scanUser(r.db.QW(ctx).QueryRow(ctx, `UPDATE users SET last_login_at = $3
		WHERE id = $1 AND password_hash = $2 RETURNING `+selectColumns("", userColumns), id, verifiedHash, at))
	if errors.Is(err, db.ErrNoRows) {
		return nil, application.ErrUserNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("record sign-in: %w", err)
	}
	return u, nil
}

// Delete removes the user; the user's sessions and tokens, and sessions in
// which the user impersonated someone, go with it (ON DELETE CASCADE). It
// returns application.ErrUserNotFound for an unknown user.
func (r *Users) Delete(ctx context.Context, id kernel.UserID) error {
	return db.ExecOne(ctx, r.db.QW(ctx), application.ErrUserNotFound, "delete user", `DELETE FROM users WHERE id = $1`, id)
}

// List returns users ordered by ID after q.After, at most q.Limit (capped at
// MaxListLimit; non-positive means MaxListLimit). q.IDs restricts the result
// (nil: no restriction; empty: nothing, without a query); each ID is a bound
// parameter, so SQLite takes up to 32,766 of them and PostgreSQL 65,535,
// less the few others. q.Search matches a substring of the email or the
// name, case-insensitively; %, _ and \ in it are literal. On SQLite, whose
// lower() folds only ASCII, a name with non-ASCII capitals ("Ângela")
// matches a search in the same case but not one in lower case ("ângela").
func (r *Users) List(ctx context.Context, q application.UserQuery) ([]*domain.User, error) {
	if q.IDs != nil && len(q.IDs) == 0 {
		return nil, nil
	}
	f := userFilter(q)
	arg := f.Arg
	order := ` ORDER BY id`
	if q.NewestFirst {
		order = ` ORDER BY id DESC`
	}
	if col, ok := sortColumns[q.SortBy]; ok && q.SortBy != "" {
		dir := ` ASC`
		if q.SortDesc {
			dir = ` DESC`
		}
		order = ` ORDER BY ` + col + dir + `, id` + dir
	}
	if !q.After.IsZero() {
		if q.NewestFirst {
			f.Where(`id < ` + arg(q.After))
		} else {
			f.Where(`id > ` + arg(q.After))
		}
	}
	limit := q.Limit
	if limit <= 0 || limit > MaxListLimit {
		limit = MaxListLimit
	}
	query := selectUser + f.Clause() + order + ` LIMIT ` + arg(limit)
	if q.Offset > 0 {
		query += ` OFFSET ` + arg(q.Offset)
	}
	return db.QueryAll(ctx, r.db.Q(ctx), scanUserRow, "list users", query, f.Args()...)
}

// Count returns how many users match q's filters (not its page: After,
// Offset and Limit are ignored).
func (r *Users) Count(ctx context.Context, q application.UserQuery) (int, error) {
	if q.IDs != nil && len(q.IDs) == 0 {
		return 0, nil
	}
	f := userFilter(q)
	return db.QueryOne(ctx, r.db.Q(ctx), db.ScanValue[int], nil, "count users",
		`SELECT COUNT(*) FROM users`+f.Clause(), f.Args()...)
}

// sortColumns are the columns UserQuery.SortBy may name.
var sortColumns = map[string]string{
	"": "id", "id": "id", "email": "email", "name": "name", "createdAt": "created_at", "updatedAt": "updated_at",
}

// textColumns are the columns a TextMatch may name.
var textColumns = map[string]string{"email": "email", "name": "name"}

// userFilter is the WHERE of q's filters.
func userFilter(q application.UserQuery) db.Filter {
	var f db.Filter
	arg := f.Arg
	if q.IDs != nil {
		ph := make([]string, len(q.IDs))
		for i, id := range q.IDs {
			ph[i] = arg(id)
		}
		f.Where(`id IN (` + strings.Join(ph, ", ") + `)`)
	}
	if search := strings.TrimSpace(q.Search); search != "" {
		f.Where(f.LikeFold(db.LikeContains, search, "email", "name"))
	}
	if p := strings.TrimSpace(q.EmailPrefix); p != "" {
		f.Where(`email LIKE ` + arg(db.LikePrefix(strings.ToLower(p))) + ` ESCAPE '\'`)
	}
	if name := strings.TrimSpace(q.Name); name != "" {
		f.Where(textMatch(&f, "name", application.MatchContains, name))
	}
	for _, m := range q.Matches {
		f.Where(textMatch(&f, textColumns[m.Field], m.Op, m.Value))
	}
	if q.Verified != nil {
		f.Where(`email_verified = ` + arg(*q.Verified))
	}
	if q.PlatformAdmin != nil {
		f.Where(`platform_admin = ` + arg(*q.PlatformAdmin))
	}
	if q.Active != nil {
		// Active at Now: not deactivated, or deactivated until a time that
		// has come.
		now := arg(q.Now)
		cond := `(active OR (deactivated_until IS NOT NULL AND deactivated_until <= ` + now + `))`
		if !*q.Active {
			cond = `NOT ` + cond
		}
		f.Where(cond)
	}
	if !q.CreatedFrom.IsZero() {
		f.Where(`created_at >= ` + arg(q.CreatedFrom))
	}
	if !q.CreatedTo.IsZero() {
		f.Where(`created_at < ` + arg(q.CreatedTo))
	}
	return f
}

// textMatch is the condition of a case-insensitive match of col (email
// or name), as db.Filter.LikeFold makes it.
func textMatch(f *db.Filter, col string, op application.MatchOp, value string) string {
	if col == "" {
		col = "email"
	}
	switch op {
	case application.MatchEqual:
		if col == "email" { // stored lower-cased
			return col + ` = ` + f.Arg(strings.ToLower(value))
		}
		return `lower(` + col + `) = ` + f.Arg(strings.ToLower(value))
	case application.MatchNotEqual:
		return `lower(` + col + `) <> ` + f.Arg(strings.ToLower(value))
	case application.MatchPrefix:
		return f.LikeFold(db.LikePrefix, value, col)
	case application.MatchSuffix:
		return f.LikeFold(db.LikeSuffix, value, col)
	}
	return f.LikeFold(db.LikeContains, value, col)
}

// scanUserRow reads userColumns.
func scanUserRow(row db.Row) (*domain.User, error) { return scanUser(row) }

// scanUser reads userColumns, with the extra destinations after them.
func scanUser(row db.Row, extra ...any) (*domain.User, error) {
	var (
		s         domain.UserSnapshot
		username  *string
		lastLogin *time.Time
	)
	dest := append([]any{&s.ID, &s.Email, &s.EmailVerified, &s.Name, &username, &s.Locale, &s.Image,
		&s.Active, &s.PlatformAdmin, &s.PasswordHash, &lastLogin, &s.CreatedAt, &s.UpdatedAt,
		&s.DeactivationReason, &s.DeactivatedUntil}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	if username != nil {
		s.Username = *username
	}
	s.LastLoginAt = lastLogin
	return domain.RehydrateUser(s), nil
}

// uniqueUserError maps a unique violation on users to its conflict; other
// errors pass through. The PostgreSQL names (users_email_key,
// users_username_key) and SQLite's "users.email" and "users.username" both
// mention the column.
func uniqueUserError(err error) error {
	ce, ok := db.IsConstraint(err, db.Unique)
	switch {
	case !ok:
		return err
	case ce.Mentions("username"):
		return errUsernameTaken.WithCause(err)
	case ce.Mentions("email"):
		return errUserExists.WithCause(err)
	}
	return err
}

// nullString is NULL for "" and s otherwise.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Profiles returns the public profiles of the users among ids, in ID order:
// four columns of the primary key's rows, no times to parse.
func (r *Users) Profiles(ctx context.Context, ids []kernel.UserID) ([]application.Profile, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var b strings.Builder
	b.WriteString(`SELECT id, email, name, image FROM users WHERE id IN (`)
	args := make([]any, len(ids))
	for i, id := range ids {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "$%d", i+1)
		args[i] = id
	}
	b.WriteString(`) ORDER BY id`)
	return db.QueryAll(ctx, r.db.Q(ctx), func(row db.Row) (p application.Profile, err error) {
		err = row.Scan(&p.ID, &p.Email, &p.Name, &p.Image)
		return p, err
	}, "user profiles", b.String(), args...)
}
