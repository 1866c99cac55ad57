package utfs

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/groundworkhq/groundwork/kernel"
)

// Token is what UPLOADTHING_TOKEN holds: the app's secret API key, its id
// and the regions it uploads to.
type Token struct {
	// APIKey is the app's secret key (sk_live_… or sk_test_…). It signs
	// every URL and authenticates every API call; it is never printed.
	APIKey string
	// AppID names the app; files are served at https://{AppID}.ufs.sh.
	AppID string
	// Regions are the app's storage regions (sea1, fra1, …), the first
	// being the default. The adapter does not need them: prepareUpload
	// answers with the ingest URL of the app's region.
	Regions []string
}

// String shows the token without its API key, so that logging one by
// mistake leaks nothing.
func (t Token) String() string {
	return fmt.Sprintf("utfs.Token{AppID: %q, Regions: %q, APIKey: %s}", t.AppID, t.Regions, kernel.Redacted)
}

// GoString is String, for %#v.
func (t Token) GoString() string { return t.String() }

// ErrInvalidToken is what DecodeToken's errors wrap: UPLOADTHING_TOKEN is
// not a token UploadThing issued.
var ErrInvalidToken = errors.New("invalid UPLOADTHING_TOKEN")

// DecodeToken decodes UPLOADTHING_TOKEN: the base64 of a JSON object
// {"apiKey": "sk_…", "appId": "…", "regions": ["…"]}, as the UploadThing
// dashboard issues it (surrounding white space is ignored). Its errors
// wrap ErrInvalidToken, say what is wrong and never contain the token or
// any part of the key. It does no I/O.
func DecodeToken(s string) (Token, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Token{}, fmt.Errorf("%w: it is empty", ErrInvalidToken)
	}
	raw, ok := decodeBase64(s)
	if !ok {
		return Token{}, fmt.Errorf("%w: it is not base64 (copy the whole token from the API Keys page of the UploadThing dashboard)", ErrInvalidToken)
	}
	var body struct {
		APIKey  string   `json:"apiKey"`
		AppID   string   `json:"appId"`
		Regions []string `json:"regions"`
	}
	// The decoder's error is not kept: its text may quote the input, which
	// holds the key.
	if json.Unmarshal(raw, &body) != nil {
		return Token{}, fmt.Errorf(`%w: it does not decode to a JSON object {"apiKey", "appId", "regions"}`, ErrInvalidToken)
	}
	switch {
	case body.APIKey == "":
		return Token{}, fmt.Errorf("%w: it has no apiKey", ErrInvalidToken)
	case !strings.HasPrefix(body.APIKey, "sk_"):
		return Token{}, fmt.Errorf("%w: its apiKey is not a secret key (sk_…)", ErrInvalidToken)
	case body.AppID == "":
		return Token{}, fmt.Errorf("%w: it has no appId", ErrInvalidToken)
	case !isHostLabel(body.AppID):
		return Token{}, fmt.Errorf("%w: its appId %q is not a host name label", ErrInvalidToken, body.AppID)
	}
	return Token{APIKey: body.APIKey, AppID: body.AppID, Regions: body.Regions}, nil
}

// decodeBase64 takes the standard alphabet, which the dashboard uses, and
// the URL-safe one, padded or not.
func decodeBase64(s string) ([]byte, bool) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, true
		}
	}
	return nil, false
}

// isHostLabel reports whether s can be the first label of a host name
// ({appId}.ufs.sh): 1 to 63 letters, digits and inner hyphens.
func isHostLabel(s string) bool {
	if len(s) == 0 || len(s) > 63 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}
