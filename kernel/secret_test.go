package kernel_test

import (
	"testing"

	"github.com/groundworkhq/groundwork/kernel"
)

func TestIsSecretField(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		want bool
	}{
		{"password", true},
		{"newPassword", true},
		{"current_password", true},
		{"PASSWORD", true},
		{"passwd", true},
		{"passphrase", true},
		{"clientSecret", true},
		{"webhook_secret", true},
		{"token", true},
		{"accessToken", true},
		{"refresh_token", true},
		{"sessionTokens", true},
		{"passwordHash", true},
		{"token_hash", true},
		{"key", true},
		{"Key", true},
		{"keys", true},
		{"apiKey", true},
		{"api_key", true},
		{"API_KEY", true},
		{"APIKey", true},
		{"apikey", true},
		{"x-api-key", true},
		{"privateKey", true},
		{"private_key", true},
		{"signingKeys", true},
		{"stripe.key", true},
		{"IdempotencyKey", true},
		{"otp", true},
		{"otpCode", true},
		{"totp", true},
		{"code", true},
		{"Code", true},
		{"verificationCode", true},
		{"recovery_codes", true},
		{"qrCode", true},
		{"credentials", true},
		{"Authorization", true},
		{"cookie", true},
		{"setCookie", true},
		{"keyId", true},       // a key ID is rarely a secret; redacting it errs the safe way
		{"countryCode", true}, // likewise

		{"monkey", false},
		{"keyboard", false},
		{"donkeyCount", false},
		{"turkey_count", false},
		{"footprint", false},
		{"hotpink", false},
		{"barcode", false},
		{"codec", false},
		{"decode", false},
		{"email", false},
		{"name", false},
		{"role", false},
		{"changes", false},
		{"reason", false},
		{"url", false},
		{"purpose", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := kernel.IsSecretField(tt.name); got != tt.want {
			t.Errorf("IsSecretField(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}
