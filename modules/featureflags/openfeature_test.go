package featureflags_test

import (
	"context"
	"net/http"
	"reflect"
	"testing"

	"github.com/open-feature/go-sdk/openfeature"

	"github.com/groundworkhq/groundwork/testkit"
)

// openFeatureClient registers a's provider under a domain of the test's
// own — the SDK's registry is global and the dialects run in parallel —
// and returns a client of that domain.
func openFeatureClient(t *testing.T, a *testkit.App) *openfeature.Client {
	t.Helper()
	domain := "groundwork-test/" + t.Name()
	if err := openfeature.SetNamedProviderAndWait(domain, a.FeatureFlags().OpenFeatureProvider()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = openfeature.SetNamedProvider(domain, openfeature.NoopProvider{}) })
	if got := openfeature.NamedProviderMetadata(domain).Name; got != "groundwork" {
		t.Fatalf("provider name = %q", got)
	}
	return openfeature.NewClient(domain)
}

// answer is what a client's XValueDetails returned, whatever its type.
type answer struct {
	value   any
	details openfeature.EvaluationDetails
	err     error
}

func answered[T any](d openfeature.GenericEvaluationDetails[T], err error) answer {
	return answer{value: d.Value, details: d.EvaluationDetails, err: err}
}

// want is an answer's expected value, reason and variant, the flag
// metadata's type for a value, or the error code for a default.
type want struct {
	value   any
	reason  openfeature.Reason
	variant string
	typ     string
	code    openfeature.ErrorCode
}

func (w want) check(t *testing.T, name string, got answer) {
	t.Helper()
	d := got.details
	if !reflect.DeepEqual(got.value, w.value) {
		t.Errorf("%s: value = %#v, want %#v", name, got.value, w.value)
	}
	if d.Reason != w.reason || d.Variant != w.variant || d.ErrorCode != w.code {
		t.Errorf("%s: reason, variant, code = %q, %q, %q; want %q, %q, %q", name, d.Reason, d.Variant, d.ErrorCode, w.reason, w.variant, w.code)
	}
	if (got.err != nil) != (w.code != "") {
		t.Errorf("%s: error = %v, want one with code %q", name, got.err, w.code)
	}
	if w.code == "" && d.FlagMetadata["type"] != w.typ {
		t.Errorf("%s: metadata type = %v, want %q", name, d.FlagMetadata["type"], w.typ)
	}
}

// Through the OpenFeature client: every type for the request's user and
// organization after the admin routes' writes, with each reason and
// variant; an unknown key and a wrong type give the default and the
// code; a hidden flag answers; the evaluation context chooses no one;
// an object's value is the caller's to change.
func TestOpenFeatureProvider(t *testing.T) {
	run(t, func(t *testing.T, a *testkit.App, h handles) {
		client := openFeatureClient(t, a)
		admin := a.SignUpPlatformAdmin(t, testkit.NewEmail("admin"), "Ada")
		acc := a.SignUp(t, testkit.NewEmail("own"), "Olga", true)
		org := organization(t, acc.Client, "acme-of")
		other := a.SignUp(t, testkit.NewEmail("other"), "Otto", true)
		otherOrg := organization(t, other.Client, "other-of")
		ctx, otherCtx := ctxOf(acc.ID, org), ctxOf(other.ID, otherOrg)
		none := openfeature.EvaluationContext{}
		base := "/api/v1/platform/feature-flags"

		admin.Do(http.MethodPut, base+"/beta-dashboard/organizations/"+org.String(), map[string]any{"value": true}).RequireStatus(t, http.StatusOK)
		admin.Do(http.MethodPut, base+"/theme/global", map[string]any{"value": "dark"}).RequireStatus(t, http.StatusOK)
		admin.Do(http.MethodPut, base+"/export-limit/organizations/"+org.String(), map[string]any{"value": 250}).RequireStatus(t, http.StatusOK)
		admin.Do(http.MethodPut, base+"/export-limit/rollout", map[string]any{"percentage": 100, "value": 500}).RequireStatus(t, http.StatusOK)
		admin.Do(http.MethodPut, base+"/internal-tool/global", map[string]any{"value": true}).RequireStatus(t, http.StatusOK)
		admin.Post(base, map[string]any{"key": "banner", "type": "object", "default": map[string]any{"text": "hi"}}).RequireStatus(t, http.StatusCreated)
		admin.Do(http.MethodPut, base+"/banner/global", map[string]any{"value": map[string]any{"text": "hello", "tags": []string{"a", "b"}}}).RequireStatus(t, http.StatusOK)
		banner := map[string]any{"text": "hello", "tags": []any{"a", "b"}}
		if _, ok := visible(t, acc.Client)["internal-tool"]; ok {
			t.Fatal("the hidden flag left the server")
		}

		// The other user's organization named in the evaluation context,
		// and the reverse: ctx alone chooses whom the flag is for.
		claimOrg := openfeature.NewEvaluationContext(other.ID.String(), map[string]any{"organizationId": otherOrg.String()})
		claimAcc := openfeature.NewEvaluationContext(acc.ID.String(), map[string]any{"organizationId": org.String()})

		for _, c := range []struct {
			name string
			got  answer
			want want
		}{
			{"boolean, organization override", answered(client.BooleanValueDetails(ctx, "beta-dashboard", false, claimOrg)),
				want{value: true, reason: openfeature.TargetingMatchReason, variant: "organization-override", typ: "boolean"}},
			{"boolean, another organization", answered(client.BooleanValueDetails(otherCtx, "beta-dashboard", false, claimAcc)),
				want{value: false, reason: openfeature.DefaultReason, variant: "default", typ: "boolean"}},
			{"string, global", answered(client.StringValueDetails(ctx, "theme", "light", none)),
				want{value: "dark", reason: openfeature.StaticReason, variant: "global", typ: "string"}},
			{"string, anonymous", answered(client.StringValueDetails(context.Background(), "theme", "light", none)),
				want{value: "dark", reason: openfeature.StaticReason, variant: "global", typ: "string"}},
			{"int, organization override above the rollout", answered(client.IntValueDetails(ctx, "export-limit", 100, none)),
				want{value: int64(250), reason: openfeature.TargetingMatchReason, variant: "organization-override", typ: "integer"}},
			{"int, rollout", answered(client.IntValueDetails(otherCtx, "export-limit", 100, claimAcc)),
				want{value: int64(500), reason: openfeature.SplitReason, variant: "rollout", typ: "integer"}},
			{"float from an integer flag", answered(client.FloatValueDetails(ctx, "export-limit", 1.5, none)),
				want{value: 250.0, reason: openfeature.TargetingMatchReason, variant: "organization-override", typ: "integer"}},
			{"object, global", answered(client.ObjectValueDetails(ctx, "banner", map[string]any{}, none)),
				want{value: banner, reason: openfeature.StaticReason, variant: "global", typ: "object"}},
			{"hidden flag", answered(client.BooleanValueDetails(ctx, "internal-tool", false, none)),
				want{value: true, reason: openfeature.StaticReason, variant: "global", typ: "boolean"}},

			{"unknown flag", answered(client.BooleanValueDetails(ctx, "nope", true, none)),
				want{value: true, reason: openfeature.ErrorReason, code: openfeature.FlagNotFoundCode}},
			{"unknown object flag", answered(client.ObjectValueDetails(ctx, "nope", "fallback", none)),
				want{value: "fallback", reason: openfeature.ErrorReason, code: openfeature.FlagNotFoundCode}},
			{"string of a boolean flag", answered(client.StringValueDetails(ctx, "beta-dashboard", "x", none)),
				want{value: "x", reason: openfeature.ErrorReason, code: openfeature.TypeMismatchCode}},
			{"boolean of a string flag", answered(client.BooleanValueDetails(ctx, "theme", true, none)),
				want{value: true, reason: openfeature.ErrorReason, code: openfeature.TypeMismatchCode}},
			{"int of an object flag", answered(client.IntValueDetails(ctx, "banner", 7, none)),
				want{value: int64(7), reason: openfeature.ErrorReason, code: openfeature.TypeMismatchCode}},
			{"float of a string flag", answered(client.FloatValueDetails(ctx, "theme", 2.5, none)),
				want{value: 2.5, reason: openfeature.ErrorReason, code: openfeature.TypeMismatchCode}},
			{"object of an integer flag", answered(client.ObjectValueDetails(ctx, "export-limit", nil, none)),
				want{value: nil, reason: openfeature.ErrorReason, code: openfeature.TypeMismatchCode}},
		} {
			c.want.check(t, c.name, c.got)
		}

		// The typed handles agree with the provider.
		if !h.beta.Value(ctx) || h.beta.Value(otherCtx) || h.limit.Value(otherCtx) != 500 || !h.secret.Value(ctx) {
			t.Error("the typed handles disagree")
		}

		// A caller changing the object it got changes no one else's.
		got := client.Object(ctx, "banner", nil, none).(map[string]any)
		got["text"] = "changed"
		got["tags"].([]any)[0] = "z"
		want{value: banner, reason: openfeature.StaticReason, variant: "global", typ: "object"}.
			check(t, "object after a caller's change", answered(client.ObjectValueDetails(otherCtx, "banner", nil, none)))

		// The kill switch: the default, DISABLED.
		admin.Do(http.MethodPut, base+"/theme/kill-switch", map[string]any{"enabled": true}).RequireStatus(t, http.StatusOK)
		want{value: "light", reason: openfeature.DisabledReason, variant: "kill-switch", typ: "string"}.
			check(t, "string, kill switch", answered(client.StringValueDetails(ctx, "theme", "other", none)))
	})
}
