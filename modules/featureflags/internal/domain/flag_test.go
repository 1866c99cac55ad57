package domain_test

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/featureflags/internal/domain"
)

// global returns v as a Rules.Global.
func global(v any) *any { return &v }

// orgIDs returns n fresh organization IDs.
func orgIDs(n int) []kernel.OrganizationID {
	ids := make([]kernel.OrganizationID, n)
	for i := range ids {
		ids[i] = kernel.NewID[kernel.OrganizationKind]()
	}
	return ids
}

// rolledOut evaluates f for org and reports whether the rollout answered,
// failing the test if the reason and the value disagree with the variant.
func rolledOut(t *testing.T, f *domain.Flag, org kernel.OrganizationID) bool {
	t.Helper()
	v, reason, variant := f.Evaluate(domain.Subject{Org: org})
	got := variant == "rollout"
	if got != (reason == domain.ReasonSplit) || got != (v == f.Rollout.Value) {
		t.Fatalf("Evaluate(%s) = (%v, %q, %q): value, reason and variant disagree", org, v, reason, variant)
	}
	return got
}

func TestEvaluatePrecedence(t *testing.T) {
	t.Parallel()
	user, otherUser := kernel.NewID[kernel.UserKind](), kernel.NewID[kernel.UserKind]()
	org, otherOrg := kernel.NewID[kernel.OrganizationKind](), kernel.NewID[kernel.OrganizationKind]()

	const (
		dflt    = "default"
		glob    = "global"
		rolled  = "rollout"
		planned = "plan"
		orgOver = "organization-override"
		usrOver = "user-override"
	)
	planRule := func() *domain.PlanRule { return &domain.PlanRule{Plans: []string{"pro", "enterprise"}, Value: planned} }
	rollout := func(p float64) *domain.Rollout { return &domain.Rollout{Percentage: p, Value: rolled} }
	// everything is a flag with every rule and an override for user and org.
	everything := func() *domain.Flag {
		return &domain.Flag{
			Definition:    domain.Definition{Key: "precedence", Type: domain.String, Default: dflt, BucketBy: domain.ByOrganization},
			Rules:         domain.Rules{Global: global(glob), Rollout: rollout(100), Plan: planRule()},
			Organizations: map[kernel.OrganizationID]any{org: orgOver},
			Users:         map[kernel.UserID]any{user: usrOver},
		}
	}
	bare := func(by domain.BucketBy, r domain.Rules) *domain.Flag {
		return &domain.Flag{
			Definition: domain.Definition{Key: "precedence", Type: domain.String, Default: dflt, BucketBy: by},
			Rules:      r,
		}
	}
	with := func(f *domain.Flag, edit func(*domain.Flag)) *domain.Flag { edit(f); return f }

	// subject is whom to evaluate for: plan is what Subject.Plan answers,
	// and noPlanFunc leaves Subject.Plan nil.
	type subject struct {
		user       kernel.UserID
		org        kernel.OrganizationID
		plan       string
		noPlanFunc bool
	}
	type want struct {
		value     any
		reason    string
		variant   string
		planCalls int
	}
	tests := []struct {
		name    string
		flag    *domain.Flag
		subject subject
		want    want
	}{
		{
			name:    "kill switch beats every override and rule",
			flag:    with(everything(), func(f *domain.Flag) { f.KillSwitch = true }),
			subject: subject{user: user, org: org, plan: "pro"},
			want:    want{dflt, domain.ReasonDisabled, "kill-switch", 0},
		},
		{
			name:    "kill switch for an anonymous subject",
			flag:    with(everything(), func(f *domain.Flag) { f.KillSwitch = true }),
			subject: subject{},
			want:    want{dflt, domain.ReasonDisabled, "kill-switch", 0},
		},
		{
			name:    "user override beats the organization's, plan, rollout and global",
			flag:    everything(),
			subject: subject{user: user, org: org, plan: "pro"},
			want:    want{usrOver, domain.ReasonTargetingMatch, "user-override", 0},
		},
		{
			name:    "user override applies without an organization",
			flag:    everything(),
			subject: subject{user: user},
			want:    want{usrOver, domain.ReasonTargetingMatch, "user-override", 0},
		},
		{
			name:    "another user's override is ignored",
			flag:    everything(),
			subject: subject{user: otherUser, org: org, plan: "pro"},
			want:    want{orgOver, domain.ReasonTargetingMatch, "organization-override", 0},
		},
		{
			name:    "organization override beats plan, rollout and global",
			flag:    everything(),
			subject: subject{org: org, plan: "pro"},
			want:    want{orgOver, domain.ReasonTargetingMatch, "organization-override", 0},
		},
		{
			name:    "plan in the rule beats rollout and global",
			flag:    everything(),
			subject: subject{user: otherUser, org: otherOrg, plan: "enterprise"},
			want:    want{planned, domain.ReasonTargetingMatch, "plan", 1},
		},
		{
			name:    "plan outside the rule falls through to the rollout",
			flag:    everything(),
			subject: subject{user: otherUser, org: otherOrg, plan: "free"},
			want:    want{rolled, domain.ReasonSplit, "rollout", 1},
		},
		{
			name:    "empty plan is outside the rule",
			flag:    bare(domain.ByOrganization, domain.Rules{Plan: planRule(), Global: global(glob)}),
			subject: subject{org: otherOrg, plan: ""},
			want:    want{glob, domain.ReasonStatic, "global", 1},
		},
		{
			name:    "plan rule is not asked without an organization",
			flag:    bare(domain.ByOrganization, domain.Rules{Plan: planRule(), Global: global(glob)}),
			subject: subject{user: otherUser, plan: "pro"},
			want:    want{glob, domain.ReasonStatic, "global", 0},
		},
		{
			name:    "plan is not asked when the flag has no plan rule",
			flag:    bare(domain.ByOrganization, domain.Rules{Rollout: rollout(100), Global: global(glob)}),
			subject: subject{org: otherOrg, plan: "pro"},
			want:    want{rolled, domain.ReasonSplit, "rollout", 0},
		},
		{
			name:    "plan rule without a Plan func does not match",
			flag:    bare(domain.ByOrganization, domain.Rules{Plan: planRule(), Global: global(glob)}),
			subject: subject{org: otherOrg, noPlanFunc: true},
			want:    want{glob, domain.ReasonStatic, "global", 0},
		},
		{
			name:    "rollout by organization at 100%",
			flag:    bare(domain.ByOrganization, domain.Rules{Rollout: rollout(100), Global: global(glob)}),
			subject: subject{org: otherOrg},
			want:    want{rolled, domain.ReasonSplit, "rollout", 0},
		},
		{
			name:    "rollout by organization at 0%",
			flag:    bare(domain.ByOrganization, domain.Rules{Rollout: rollout(0), Global: global(glob)}),
			subject: subject{org: otherOrg},
			want:    want{glob, domain.ReasonStatic, "global", 0},
		},
		{
			name:    "rollout by organization skips a subject without one",
			flag:    bare(domain.ByOrganization, domain.Rules{Rollout: rollout(100), Global: global(glob)}),
			subject: subject{user: otherUser},
			want:    want{glob, domain.ReasonStatic, "global", 0},
		},
		{
			name:    "rollout by user at 100%",
			flag:    bare(domain.ByUser, domain.Rules{Rollout: rollout(100), Global: global(glob)}),
			subject: subject{user: otherUser},
			want:    want{rolled, domain.ReasonSplit, "rollout", 0},
		},
		{
			name:    "rollout by user at 0%",
			flag:    bare(domain.ByUser, domain.Rules{Rollout: rollout(0), Global: global(glob)}),
			subject: subject{user: otherUser, org: otherOrg},
			want:    want{glob, domain.ReasonStatic, "global", 0},
		},
		{
			name:    "rollout by user skips a subject without one",
			flag:    bare(domain.ByUser, domain.Rules{Rollout: rollout(100), Global: global(glob)}),
			subject: subject{org: otherOrg},
			want:    want{glob, domain.ReasonStatic, "global", 0},
		},
		{
			name:    "rollout at 0% without a global value gives the default",
			flag:    bare(domain.ByOrganization, domain.Rules{Rollout: rollout(0)}),
			subject: subject{org: otherOrg},
			want:    want{dflt, domain.ReasonDefault, "default", 0},
		},
		{
			name:    "global value",
			flag:    bare(domain.ByOrganization, domain.Rules{Global: global(glob)}),
			subject: subject{user: otherUser, org: otherOrg},
			want:    want{glob, domain.ReasonStatic, "global", 0},
		},
		{
			name: "a false global value still beats the default",
			flag: &domain.Flag{
				Definition: domain.Definition{Key: "precedence", Type: domain.Boolean, Default: true},
				Rules:      domain.Rules{Global: global(false)},
			},
			subject: subject{org: otherOrg},
			want:    want{false, domain.ReasonStatic, "global", 0},
		},
		{
			name:    "anonymous subject gets only the global value",
			flag:    everything(),
			subject: subject{},
			want:    want{glob, domain.ReasonStatic, "global", 0},
		},
		{
			name:    "no rules gives the default",
			flag:    bare(domain.ByOrganization, domain.Rules{}),
			subject: subject{user: otherUser, org: otherOrg, plan: "pro"},
			want:    want{dflt, domain.ReasonDefault, "default", 0},
		},
		{
			name:    "no rules and an anonymous subject gives the default",
			flag:    bare(domain.ByOrganization, domain.Rules{}),
			subject: subject{},
			want:    want{dflt, domain.ReasonDefault, "default", 0},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			calls := 0
			s := domain.Subject{User: tt.subject.user, Org: tt.subject.org}
			if !tt.subject.noPlanFunc {
				s.Plan = func() string { calls++; return tt.subject.plan }
			}
			value, reason, variant := tt.flag.Evaluate(s)
			got := want{value, reason, variant, calls}
			if got != tt.want {
				t.Errorf("Evaluate = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestEvaluateRolloutIsStableAsItGrows(t *testing.T) {
	t.Parallel()
	f := &domain.Flag{
		Definition: domain.Definition{Key: "new-checkout", Type: domain.Boolean, Default: false, BucketBy: domain.ByOrganization},
		Rules:      domain.Rules{Rollout: &domain.Rollout{Value: true}, Global: global(false)},
	}
	ids := orgIDs(2000)
	had := make([]bool, len(ids))
	prev := -1
	for _, p := range []float64{0, 10, 25, 50, 75, 100} {
		f.Rollout.Percentage = p
		n := 0
		for i, id := range ids {
			got := rolledOut(t, f, id)
			if had[i] && !got {
				t.Errorf("%s lost the rollout when it grew to %v%%", id, p)
			}
			had[i] = got
			if got {
				n++
			}
		}
		if n < prev {
			t.Errorf("at %v%%, %d organizations have the rollout, fewer than the %d before", p, n, prev)
		}
		prev = n
		switch p {
		case 0:
			if n != 0 {
				t.Errorf("at 0%%, %d organizations have the rollout", n)
			}
		case 100:
			if n != len(ids) {
				t.Errorf("at 100%%, %d of %d organizations have the rollout", n, len(ids))
			}
		}
	}
}

func TestEvaluateRolloutDistribution(t *testing.T) {
	t.Parallel()
	ids := orgIDs(10_000)
	flag := func(key string, p float64) *domain.Flag {
		return &domain.Flag{
			Definition: domain.Definition{Key: key, Type: domain.Boolean, Default: false, BucketBy: domain.ByOrganization},
			Rules:      domain.Rules{Rollout: &domain.Rollout{Percentage: p, Value: true}},
		}
	}
	share := func(n int) float64 { return 100 * float64(n) / float64(len(ids)) }

	for _, p := range []float64{1, 10, 33.3, 50, 90} {
		f, n := flag("new-checkout", p), 0
		for _, id := range ids {
			if rolledOut(t, f, id) {
				n++
			}
		}
		if got := share(n); math.Abs(got-p) > 2 {
			t.Errorf("at %v%%, %.2f%% of organizations have the rollout, want within 2 points", p, got)
		}
	}

	// Two flags at 50% overlap on about a quarter of the organizations
	// only if they bucket independently.
	a, b := flag("new-checkout", 50), flag("billing.v2", 50)
	both := 0
	for _, id := range ids {
		if rolledOut(t, a, id) && rolledOut(t, b, id) {
			both++
		}
	}
	if got := share(both); math.Abs(got-25) > 3 {
		t.Errorf("two flags at 50%% overlap on %.2f%% of organizations, want 25 ± 3", got)
	}
}

// TestEvaluateRolloutBoundary checks every tenth of a point: at p% exactly
// the first p*10 buckets get the rollout, as Buckets' documentation
// promises, so 16.1% and 16.2% are different rollouts.
func TestEvaluateRolloutBoundary(t *testing.T) {
	t.Parallel()
	const key = "boundary"
	// One organization ID in each bucket; about 7,500 draws cover them all.
	inBucket := make([]kernel.OrganizationID, domain.Buckets)
	for found, tries := 0, 0; found < domain.Buckets; tries++ {
		if tries == 500_000 {
			t.Fatalf("only %d of %d buckets reached after %d IDs", found, domain.Buckets, tries)
		}
		id := kernel.NewID[kernel.OrganizationKind]()
		if b := domain.Bucket(key, id.UUID()); inBucket[b].IsZero() {
			inBucket[b] = id
			found++
		}
	}
	f := &domain.Flag{
		Definition: domain.Definition{Key: key, Type: domain.Boolean, Default: false, BucketBy: domain.ByOrganization},
		Rules:      domain.Rules{Rollout: &domain.Rollout{Value: true}},
	}
	for tenths := 0; tenths <= domain.Buckets; tenths++ {
		f.Rollout.Percentage = float64(tenths) / 10
		if tenths > 0 && !rolledOut(t, f, inBucket[tenths-1]) {
			t.Errorf("at %v%%, bucket %d does not get the rollout", f.Rollout.Percentage, tenths-1)
		}
		if tenths < domain.Buckets && rolledOut(t, f, inBucket[tenths]) {
			t.Errorf("at %v%%, bucket %d gets the rollout", f.Rollout.Percentage, tenths)
		}
	}
}

func TestBucket(t *testing.T) {
	t.Parallel()
	// Pinned: a change to the hash reshuffles every live rollout.
	v7 := [16]byte{0x01, 0x93, 0, 0, 0, 0, 0x70, 0, 0x80}
	v7next := v7
	v7next[15] = 1
	golden := []struct {
		key  string
		id   [16]byte
		want int
	}{
		{"", [16]byte{}, 165},
		{"new-checkout", v7, 226},
		{"new-checkout", v7next, 437},
		{"billing.v2", v7, 332},
		{"a", [16]byte{15: 0xff}, 611},
	}
	for _, g := range golden {
		if got := domain.Bucket(g.key, g.id); got != g.want {
			t.Errorf("Bucket(%q, %x) = %d, want %d", g.key, g.id, got, g.want)
		}
	}

	seen := make(map[int]bool)
	for _, id := range orgIDs(5000) {
		for _, key := range []string{"new-checkout", "billing.v2"} {
			b := domain.Bucket(key, id.UUID())
			if b < 0 || b >= domain.Buckets {
				t.Fatalf("Bucket(%q, %s) = %d, outside [0, %d)", key, id, b, domain.Buckets)
			}
			if again := domain.Bucket(key, id.UUID()); again != b {
				t.Fatalf("Bucket(%q, %s) = %d, then %d", key, id, b, again)
			}
			seen[b] = true
		}
	}
	// 10,000 draws miss a given bucket with odds e^-10: all but a few are hit.
	if len(seen) < domain.Buckets-10 {
		t.Errorf("10,000 IDs reached only %d of %d buckets", len(seen), domain.Buckets)
	}
}

func TestParseType(t *testing.T) {
	t.Parallel()
	for _, in := range []domain.Type{domain.Boolean, domain.String, domain.Integer, domain.Object} {
		if got, ok := domain.ParseType(string(in)); !ok || got != in {
			t.Errorf("ParseType(%q) = (%q, %v), want (%q, true)", in, got, ok, in)
		}
	}
	for _, in := range []string{"", "bool", "Boolean", "number", "float", "json", " string"} {
		if got, ok := domain.ParseType(in); ok || got != "" {
			t.Errorf("ParseType(%q) = (%q, %v), want (\"\", false)", in, got, ok)
		}
	}
}

func TestParseValue(t *testing.T) {
	t.Parallel()
	longString := strings.Repeat("a", 10_000)
	bigObject := `{"a":"` + strings.Repeat("x", 64<<10) + `"}`
	type valueCase struct {
		name string
		typ  domain.Type
		raw  string
		want any // nil: the value must be refused
	}
	tests := []valueCase{
		{"boolean true", domain.Boolean, "true", true},
		{"boolean false", domain.Boolean, "false", false},
		{"boolean with spaces", domain.Boolean, " \n true \t", true},
		{"boolean as a string", domain.Boolean, `"true"`, nil},
		{"boolean as a number", domain.Boolean, "1", nil},
		{"boolean as an object", domain.Boolean, `{}`, nil},
		{"boolean misspelled", domain.Boolean, "True", nil},

		{"string", domain.String, `"blue"`, "blue"},
		{"empty string", domain.String, `""`, ""},
		{"string with escapes", domain.String, `"a\"b\u00e9"`, `a"bé`},
		{"string of 10,000 bytes", domain.String, `"` + longString + `"`, longString},
		{"string of 10,001 bytes", domain.String, `"` + longString + `a"`, nil},
		{"string unquoted", domain.String, "blue", nil},
		{"string as a number", domain.String, "1", nil},
		{"string as a boolean", domain.String, "true", nil},
		{"string as an array", domain.String, `["a"]`, nil},

		{"integer", domain.Integer, "42", int64(42)},
		{"integer zero", domain.Integer, "0", int64(0)},
		{"negative integer", domain.Integer, "-7", int64(-7)},
		{"largest safe integer", domain.Integer, "9007199254740991", int64(1<<53 - 1)},
		{"smallest safe integer", domain.Integer, "-9007199254740991", int64(-(1<<53 - 1))},
		{"integer with a fraction", domain.Integer, "1.5", nil},
		{"integer too large", domain.Integer, "1e20", nil},
		{"integer out of float range", domain.Integer, "1e400", nil},
		{"integer as a string", domain.Integer, `"42"`, nil},
		{"integer as a boolean", domain.Integer, "true", nil},
		{"integer as an array", domain.Integer, "[1]", nil},

		{"object", domain.Object, `{"a":1,"b":[true,"x"]}`, map[string]any{"a": 1.0, "b": []any{true, "x"}}},
		{"empty object", domain.Object, `{}`, map[string]any{}},
		{"object with spaces", domain.Object, "  {\"a\": null}\n", map[string]any{"a": nil}},
		{"object over 64 KiB", domain.Object, bigObject, nil},
		{"object as an array", domain.Object, `[{"a":1}]`, nil},
		{"object as an empty array", domain.Object, `[]`, nil},
		{"object as a string", domain.Object, `"{}"`, nil},
		{"object as a number", domain.Object, "1", nil},
		{"object truncated", domain.Object, `{"a":1`, nil},
		{"object with trailing data", domain.Object, `{"a":1}{}`, nil},

		{"unknown type", domain.Type("float"), "1.5", nil},
	}
	for _, typ := range []domain.Type{domain.Boolean, domain.String, domain.Integer, domain.Object} {
		tests = append(tests,
			valueCase{string(typ) + " null", typ, "null", nil},
			valueCase{string(typ) + " empty", typ, "", nil},
			valueCase{string(typ) + " blank", typ, " \n\t", nil},
		)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			const field = "rules.global"
			got, err := domain.ParseValue(tt.typ, json.RawMessage(tt.raw), field)
			if tt.want != nil {
				if err != nil {
					t.Fatalf("ParseValue(%s, %.40q) error: %v", tt.typ, tt.raw, err)
				}
				if !reflect.DeepEqual(got, tt.want) {
					t.Fatalf("ParseValue(%s, %.40q) = %#v, want %#v", tt.typ, tt.raw, got, tt.want)
				}
				if !domain.Of(tt.typ, got) {
					t.Errorf("ParseValue(%s, %.40q) = %#v, which Of does not take as a %s", tt.typ, tt.raw, got, tt.typ)
				}
				return
			}
			if got != nil {
				t.Errorf("ParseValue(%s, %.40q) = %#v, want nil with the error", tt.typ, tt.raw, got)
			}
			wantWrongType(t, err, field, tt.typ)
		})
	}
}

// TestParseValueKeepsIntegersExact checks an integer beyond float64's exact
// range is refused rather than rounded to a neighbour.
func TestParseValueKeepsIntegersExact(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{"9007199254740993", "-9007199254740993"} {
		got, err := domain.ParseValue(domain.Integer, json.RawMessage(raw), "value")
		if err != nil {
			wantWrongType(t, err, "value", domain.Integer)
			continue
		}
		if want, _ := json.Number(raw).Int64(); got != want {
			t.Errorf("ParseValue(integer, %s) = %v: the value was silently changed", raw, got)
		}
	}
}

func TestParseValueNamesTheField(t *testing.T) {
	t.Parallel()
	for _, field := range []string{"default", "rules.rollout.value", "organizations[0].value"} {
		_, err := domain.ParseValue(domain.Boolean, json.RawMessage(`"yes"`), field)
		wantWrongType(t, err, field, domain.Boolean)
	}
}

// wantWrongType fails t unless err is the *kernel.Error ErrWrongType
// gives: featureflags.invalid_value with one field error naming field.
func wantWrongType(t *testing.T, err error, field string, typ domain.Type) {
	t.Helper()
	var kerr *kernel.Error
	if !errors.As(err, &kerr) {
		t.Fatalf("error = %v (%T), want a *kernel.Error", err, err)
	}
	if kerr.Kind != kernel.KindInvalid || kerr.Code != "featureflags.invalid_value" {
		t.Errorf("error kind, code = %v, %q, want invalid, featureflags.invalid_value", kerr.Kind, kerr.Code)
	}
	if len(kerr.Fields) != 1 {
		t.Fatalf("error fields = %+v, want one", kerr.Fields)
	}
	if fe := kerr.Fields[0]; fe.Field != field || fe.Code != "wrong_type" || !strings.Contains(fe.Message, string(typ)) {
		t.Errorf("field error = %+v, want field %q, code wrong_type, a message naming %s", fe, field, typ)
	}
}

func TestOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		typ  domain.Type
		yes  []any
		nope []any
	}{
		{domain.Boolean, []any{true, false}, []any{nil, "true", 1, int64(1)}},
		{domain.String, []any{"", "blue"}, []any{nil, []byte("blue"), true, int64(1)}},
		{domain.Integer, []any{int64(0), int64(-7), int64(math.MaxInt64)}, []any{nil, 1, int32(1), uint64(1), 1.0, "1"}},
		{domain.Object, []any{map[string]any{}, map[string]any{"a": 1.0}}, []any{nil, map[string]string{}, []any{}, "{}", (*map[string]any)(nil)}},
		{domain.Type("float"), nil, []any{1.5, true, "x", nil}},
	}
	for _, tt := range tests {
		for _, v := range tt.yes {
			if !domain.Of(tt.typ, v) {
				t.Errorf("Of(%s, %#v) = false, want true", tt.typ, v)
			}
		}
		for _, v := range tt.nope {
			if domain.Of(tt.typ, v) {
				t.Errorf("Of(%s, %#v) = true, want false", tt.typ, v)
			}
		}
	}
}

func TestCheckPercentage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		p  float64
		ok bool
	}{
		{-0.1, false},
		{math.Inf(-1), false},
		{0, true},
		{0.1, true},
		{33.3, true},
		{100, true},
		{100.1, false},
		{math.Inf(1), false},
		{math.NaN(), false},
	}
	for _, tt := range tests {
		err := domain.CheckPercentage(tt.p)
		if tt.ok {
			if err != nil {
				t.Errorf("CheckPercentage(%v) = %v, want nil", tt.p, err)
			}
			continue
		}
		if !errors.Is(err, domain.ErrInvalidPercentage) {
			t.Errorf("CheckPercentage(%v) = %v, want ErrInvalidPercentage", tt.p, err)
			continue
		}
		if kernel.KindOf(err) != kernel.KindInvalid || kernel.CodeOf(err) != "featureflags.invalid_percentage" {
			t.Errorf("CheckPercentage(%v) kind, code = %v, %q", tt.p, kernel.KindOf(err), kernel.CodeOf(err))
		}
		if fields := kernel.FieldsOf(err); len(fields) != 1 || fields[0].Field != "percentage" {
			t.Errorf("CheckPercentage(%v) fields = %+v, want one naming percentage", tt.p, fields)
		}
	}
}

func TestValidKey(t *testing.T) {
	t.Parallel()
	good := []string{
		"a",
		"new-checkout",
		"billing.v2_beta",
		"z9",
		"a" + strings.Repeat("b", 99),
	}
	bad := []string{
		"",
		"1abc",
		"_abc",
		"-abc",
		".abc",
		"New-checkout",
		"new checkout",
		"new:checkout",
		"new/checkout",
		"new-checkout\n",
		" new-checkout",
		"caf\u00e9",
		"\u212aelvin", // the Kelvin sign, not k
		"a" + strings.Repeat("b", 100),
	}
	for _, k := range good {
		if !domain.ValidKey(k) {
			t.Errorf("ValidKey(%.40q) = false, want true", k)
		}
	}
	for _, k := range bad {
		if domain.ValidKey(k) {
			t.Errorf("ValidKey(%.40q) = true, want false", k)
		}
	}
}

var sinkValue any

func BenchmarkEvaluate(b *testing.B) {
	f := &domain.Flag{
		Definition: domain.Definition{Key: "new-checkout", Type: domain.Boolean, Default: false, BucketBy: domain.ByOrganization},
		Rules: domain.Rules{
			Global:  global(false),
			Rollout: &domain.Rollout{Percentage: 50, Value: true},
		},
		Organizations: make(map[kernel.OrganizationID]any, 1000),
	}
	for _, id := range orgIDs(1000) {
		f.Organizations[id] = true
	}
	s := domain.Subject{User: kernel.NewID[kernel.UserKind](), Org: kernel.NewID[kernel.OrganizationKind]()}
	if _, _, variant := f.Evaluate(s); variant != "rollout" && variant != "global" {
		b.Fatalf("variant = %q, want rollout or global", variant)
	}
	b.ReportAllocs()
	for b.Loop() {
		sinkValue, _, _ = f.Evaluate(s)
	}
}
