package db_test

import (
	"testing"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/testkit/testdb"
)

// TestLikePatterns: the wildcards and the escape character in a value
// match themselves, on both dialects.
func TestLikePatterns(t *testing.T) {
	for _, tt := range []struct{ got, want string }{
		{db.LikeContains(`50%_off\`), `%50\%\_off\\%`},
		{db.LikePrefix(`a_b`), `a\_b%`},
		{db.LikeSuffix(`%`), `%\%`},
	} {
		if tt.got != tt.want {
			t.Errorf("pattern %q, want %q", tt.got, tt.want)
		}
	}
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		d := testdb.Open(t, dialect)
		for pattern, want := range map[string]bool{
			db.LikeContains("0%_o"): true, db.LikeContains("0%xo"): false, db.LikePrefix("50%"): true,
			db.LikePrefix("5_"): false, db.LikeSuffix(`off\`): true, db.LikeSuffix("off"): false,
		} {
			var n int
			err := d.Q(t.Context()).QueryRow(t.Context(), `SELECT COUNT(*) FROM (SELECT '50%_off\' AS v) t WHERE v LIKE $1 ESCAPE '\'`, pattern).Scan(&n)
			if err != nil {
				t.Fatal(err)
			}
			if (n == 1) != want {
				t.Errorf("%q matched %v, want %v", pattern, n == 1, want)
			}
		}
	})
}
