package utfs_test

import (
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/groundworkhq/groundwork/modules/storage/internal/infrastructure/utfs"
	"github.com/groundworkhq/groundwork/modules/storage/internal/infrastructure/utfs/utfstest"
)

func TestDecodeToken(t *testing.T) {
	t.Parallel()
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

	t.Run("valid", func(t *testing.T) {
		t.Parallel()
		for name, tok := range map[string]string{
			"as issued":            utfstest.Token(utfstest.APIKey),
			"with white space":     "  " + utfstest.Token(utfstest.APIKey) + "\n",
			"unpadded":             strings.TrimRight(utfstest.Token(utfstest.APIKey), "="),
			"with an ingest host":  b64(`{"apiKey":"` + utfstest.APIKey + `","appId":"` + utfstest.AppID + `","regions":["sea1"],"ingestHost":"ingest.uploadthing.com"}`),
			"with several regions": b64(`{"apiKey":"` + utfstest.APIKey + `","appId":"` + utfstest.AppID + `","regions":["sea1","fra1"]}`),
		} {
			got, err := utfs.DecodeToken(tok)
			if err != nil {
				t.Errorf("%s: DecodeToken: %v", name, err)
				continue
			}
			if got.APIKey != utfstest.APIKey || got.AppID != utfstest.AppID || len(got.Regions) == 0 || got.Regions[0] != "sea1" {
				t.Errorf("%s: DecodeToken = %v", name, got)
			}
		}
		got, _ := utfs.DecodeToken(b64(`{"apiKey":"` + utfstest.APIKey + `","appId":"` + utfstest.AppID + `","regions":["sea1","fra1"]}`))
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
		{"not JSON", b64("apiKey=" + secret + "&appId=" + utfstest.AppID), "JSON object"},
		{"a JSON array", b64(`["` + secret + `"]`), "JSON object"},
		{"apiKey not a string", b64(`{"apiKey":1234567890,"appId":"` + utfstest.AppID + `"}`), "JSON object"},
		{"missing apiKey", b64(`{"appId":"` + utfstest.AppID + `","regions":["sea1"]}`), "no apiKey"},
		{"missing appId", b64(`{"apiKey":"` + secret + `","regions":["sea1"]}`), "no appId"},
		{"apiKey without sk_", b64(`{"apiKey":"pk_live_5ecret5ecret5ecret5ecret","appId":"` + utfstest.AppID + `","regions":["sea1"]}`), "sk_"},
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
	tok, err := utfs.DecodeToken(utfstest.Token(utfstest.APIKey))
	if err != nil {
		t.Fatal(err)
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		if s := fmt.Sprintf(verb, tok); strings.Contains(s, utfstest.APIKey) || !strings.Contains(s, utfstest.AppID) {
			t.Errorf("%s = %s", verb, s)
		}
	}
}
