package utfs_test

import (
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/groundworkhq/groundwork/modules/storage/internal/infrastructure/utfs"
)

func TestDecodeToken(t *testing.T) {
	t.Parallel()
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

	t.Run("valid", func(t *testing.T) {
		t.Parallel()
		for name, tok := range map[string]string{
			"as issued":            testToken(testAPIKey),
			"with white space":     "  " + testToken(testAPIKey) + "\n",
			"unpadded":             strings.TrimRight(testToken(testAPIKey), "="),
			"with an ingest host":  b64(`{"apiKey":"` + testAPIKey + `","appId":"` + testAppID + `","regions":["sea1"],"ingestHost":"ingest.uploadthing.com"}`),
			"with several regions": b64(`{"apiKey":"` + testAPIKey + `","appId":"` + testAppID + `","regions":["sea1","fra1"]}`),
		} {
			got, err := utfs.DecodeToken(tok)
			if err != nil {
				t.Errorf("%s: DecodeToken: %v", name, err)
				continue
			}
			if got.APIKey != testAPIKey || got.AppID != testAppID || len(got.Regions) == 0 || got.Regions[0] != "sea1" {
				t.Errorf("%s: DecodeToken = %v", name, got)
			}
		}
		got, _ := utfs.DecodeToken(b64(`{"apiKey":"` + testAPIKey + `","appId":"` + testAppID + `","regions":["sea1","fra1"]}`))
		if !slices.Equal(got.Regions, []string{"sea1", "fra1"}) {
			t.Errorf("Regions = %q", got.Regions)
		}
	})

	const secret = "sk_live_5ecret5ecret5ecret5ecret"
	for _, tc := range []struct {
		name, token, says string
	}{
		{"empty", "", "empty"},
		{"not base64", "this is not a token: " + secret, "not base64"},
		{"not JSON", b64("apiKey=" + secret + "&appId=" + testAppID), "JSON object"},
		{"a JSON array", b64(`["` + secret + `"]`), "JSON object"},
		{"apiKey not a string", b64(`{"apiKey":1234567890,"appId":"` + testAppID + `"}`), "JSON object"},
		{"missing apiKey", b64(`{"appId":"` + testAppID + `","regions":["sea1"]}`), "no apiKey"},
		{"missing appId", b64(`{"apiKey":"` + secret + `","regions":["sea1"]}`), "no appId"},
		{"apiKey without sk_", b64(`{"apiKey":"pk_live_5ecret5ecret5ecret5ecret","appId":"` + testAppID + `","regions":["sea1"]}`), "sk_"},
		{"appId not a host label", b64(`{"apiKey":"` + secret + `","appId":"app.example/x","regions":["sea1"]}`), "host name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := utfs.DecodeToken(tc.token)
			if !errors.Is(err, utfs.ErrInvalidToken) {
				t.Fatalf("DecodeToken = %v, want ErrInvalidToken", err)
			}
			if !strings.Contains(err.Error(), tc.says) {
				t.Errorf("DecodeToken = %q, want it to say %q", err, tc.says)
			}
			for _, leak := range []string{"5ecret", tc.token} {
				if leak != "" && strings.Contains(err.Error(), leak) {
					t.Errorf("the error shows %q: %v", leak, err)
				}
			}
		})
	}
}

func TestTokenPrintsNoKey(t *testing.T) {
	t.Parallel()
	tok, err := utfs.DecodeToken(testToken(testAPIKey))
	if err != nil {
		t.Fatal(err)
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		if s := fmt.Sprintf(verb, tok); strings.Contains(s, testAPIKey) || !strings.Contains(s, testAppID) {
			t.Errorf("%s = %s", verb, s)
		}
	}
}
