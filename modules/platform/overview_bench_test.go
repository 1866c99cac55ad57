package platform_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/testkit"
	"github.com/groundworkhq/groundwork/testkit/testdb"
)

// The platform the benchmark reads: users and organizations created over
// two years, each user a member of one organization (its first member the
// owner).
const (
	benchUsers         = 100_000
	benchOrganizations = 10_000
	benchHistory       = 730 * 24 * time.Hour
	benchBatch         = 1_000 // rows per INSERT
)

// BenchmarkOverview measures GET /api/v1/platform/overview, through the
// HTTP stack, on a platform of benchUsers users and benchOrganizations
// organizations, on SQLite and, with TEST_POSTGRES_URL, PostgreSQL. Seeding
// takes a while, so -short skips it.
//
//	go test ./modules/platform -run '^$' -bench Overview -benchtime 50x
func BenchmarkOverview(b *testing.B) {
	for _, dialect := range testdb.Dialects() {
		b.Run(string(dialect), func(b *testing.B) {
			if testing.Short() {
				b.Skip("seeds 100,000 users; not with -short")
			}
			a := testkit.New(b, dialect, testkit.WithoutWorkers())
			start := time.Now()
			seedPlatform(b, a.DB(), a.Clock.Now())
			b.Logf("%s: seeded %d users, %d organizations and %d memberships in %s",
				dialect, benchUsers, benchOrganizations, benchUsers, time.Since(start).Round(time.Millisecond))
			admin := a.Client().AsPlatformAdmin(kernel.NewID[kernel.UserKind]())

			var got overviewJSON
			admin.Get(overviewPath).RequireStatus(b, http.StatusOK).JSON(b, &got)
			if got.Users.Total != benchUsers || got.Organizations.Total != benchOrganizations {
				b.Fatalf("the overview counts %d users and %d organizations", got.Users.Total, got.Organizations.Total)
			}
			for b.Loop() {
				admin.Get(overviewPath).RequireStatus(b, http.StatusOK)
			}
		})
	}
}

// membershipKind is tenancy's ID kind of memberships ("mem_…").
type membershipKind struct{}

func (membershipKind) Prefix() string { return "mem" }

// seedPlatform inserts the benchmark's rows with multi-row INSERTs, one
// transaction per table, as of now.
func seedPlatform(b *testing.B, d *db.DB, now time.Time) {
	b.Helper()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	// An argon2id PHC string's length, so rows are as wide as real ones.
	hash := "$argon2id$v=19$m=19456,t=2,p=1$" + strings.Repeat("s", 22) + "$" + strings.Repeat("h", 43)
	if d.Dialect() == db.SQLite {
		// The writer's page cache holds the whole seed, instead of spilling
		// to the WAL page by page inside the transactions.
		if _, err := d.QW(ctx).Exec(ctx, `PRAGMA cache_size = -262144`); err != nil {
			b.Fatal(err)
		}
	}
	ago := func(max time.Duration) time.Time { return now.Add(-time.Duration(rng.Int64N(int64(max)))) }

	users := make([]kernel.UserID, benchUsers)
	insertRows(b, ctx, d, "users (id, email, email_verified, name, password_hash, last_login_at, created_at, updated_at)", benchUsers,
		func(i int) []any {
			users[i] = kernel.NewID[kernel.UserKind]()
			created := ago(benchHistory)
			var lastLogin *time.Time
			if rng.IntN(5) > 0 { // a fifth never signed in
				t := created.Add(time.Duration(rng.Int64N(int64(now.Sub(created)) + 1)))
				lastLogin = &t
			}
			return []any{users[i], fmt.Sprintf("user%d@example.com", i), rng.IntN(10) < 7, fmt.Sprintf("User %d", i),
				hash, lastLogin, created, created}
		})

	orgs := make([]kernel.OrganizationID, benchOrganizations)
	orgCreated := make([]time.Time, benchOrganizations)
	insertRows(b, ctx, d, "organizations (id, name, slug, created_at, updated_at)", benchOrganizations,
		func(i int) []any {
			orgs[i], orgCreated[i] = kernel.NewID[kernel.OrganizationKind](), ago(benchHistory)
			return []any{orgs[i], fmt.Sprintf("Organization %d", i), fmt.Sprintf("org-%d", i), orgCreated[i], orgCreated[i]}
		})

	insertRows(b, ctx, d, "memberships (id, organization_id, user_id, role, joined_at)", benchUsers,
		func(i int) []any {
			role := "member"
			if i < benchOrganizations {
				role = "owner"
			}
			org := i % benchOrganizations
			return []any{kernel.NewID[membershipKind](), orgs[org], users[i], role, orgCreated[org]}
		})

	if d.Dialect() == db.Postgres {
		// What autovacuum would have done on a database this size: planner
		// statistics and the visibility map index-only scans need.
		if _, err := d.QW(ctx).Exec(ctx, `VACUUM ANALYZE users, organizations, memberships`); err != nil {
			b.Fatal(err)
		}
	}
}

// insertRows inserts n rows into table (with its column list) in one
// transaction, benchBatch rows per statement; row(i) gives the i-th row's
// values.
func insertRows(b *testing.B, ctx context.Context, d *db.DB, table string, n int, row func(i int) []any) {
	b.Helper()
	err := d.Tx(ctx, func(ctx context.Context) error {
		var (
			sb   strings.Builder
			args []any
		)
		for lo := 0; lo < n; lo += benchBatch {
			sb.Reset()
			args = args[:0]
			sb.WriteString("INSERT INTO " + table + " VALUES ")
			for i := lo; i < min(lo+benchBatch, n); i++ {
				if i > lo {
					sb.WriteByte(',')
				}
				sb.WriteByte('(')
				for j, v := range row(i) {
					if j > 0 {
						sb.WriteByte(',')
					}
					args = append(args, v)
					if d.Dialect() == db.SQLite {
						sb.WriteByte('?') // SQLite looks $N up by name, in a list: quadratic in a long statement
					} else {
						fmt.Fprintf(&sb, "$%d", len(args))
					}
				}
				sb.WriteByte(')')
			}
			if _, err := d.Q(ctx).Exec(ctx, sb.String(), args...); err != nil {
				return fmt.Errorf("seed %s: %w", table, err)
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}
