package config_test

import (
	"errors"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/config"
)

// env is a fake environment for Load.
type env map[string]string

func (e env) lookup(key string) (string, bool) {
	v, ok := e[key]
	return v, ok
}

func load(t *testing.T, e env) config.Config {
	t.Helper()
	c, err := config.Load(e.lookup)
	if err != nil {
		t.Fatalf("Load(%v): %v", e, err)
	}
	return c
}

func loadError(t *testing.T, e env) *config.Error {
	t.Helper()
	_, err := config.Load(e.lookup)
	if err == nil {
		t.Fatalf("Load(%v) succeeded, want an error", e)
	}
	cerr, ok := errors.AsType[*config.Error](err)
	if !ok {
		t.Fatalf("Load(%v) error %T %v, want *config.Error", e, err, err)
	}
	return cerr
}

func TestDefaults(t *testing.T) {
	t.Parallel()
	c := config.Default()

	checks := []struct {
		name      string
		got, want any
	}{
		{"Server.Port", c.Server.Port, 8080},
		{"Server.URL", c.Server.URL.String(), "http://localhost:8080"},
		{"Server.WebOrigins", len(c.Server.WebOrigins), 0},
		{"Server.ShutdownTimeout", c.Server.ShutdownTimeout, 30 * time.Second},
		{"Server.Secure", c.Server.Secure(), false},
		{"Server.Addr", c.Server.Addr(), ":8080"},
		{"Database.URL", c.Database.URL, ""},
		{"Database.DataDir", c.Database.DataDir, "./data"},
		{"Database.AutoMigrate", c.Database.AutoMigrate, true},
		{"Database.IsPostgres", c.Database.IsPostgres(), false},
		{"Database.SQLitePath", c.Database.SQLitePath(), filepath.Join("data", "groundwork.db")},
		{"Log.Level", c.Log.Level, slog.LevelInfo},
		{"Log.Format", c.Log.Format, config.LogFormatText},
		{"Auth.RequireEmailVerification", c.Auth.RequireEmailVerification, false},
		{"Auth.ImpersonationMax", c.Auth.ImpersonationMax, time.Hour},
		{"Email.Provider", c.Email.Provider, config.EmailLog},
		{"Email.From", c.Email.From, "Groundwork <no-reply@localhost>"},
		{"Email.ProductName", c.Email.ProductName, "Groundwork"},
		{"Email.BrandColor", c.Email.BrandColor, "#4f46e5"},
		{"Email.ResendAPIKey", c.Email.ResendAPIKey, ""},
		{"Email.SMTP.Port", c.Email.SMTP.Port, 587},
		{"Email.SMTP.TLS", c.Email.SMTP.TLS, config.SMTPTLSStartTLS},
		{"Payments.Provider", c.Payments.Provider, config.PaymentNone},
		{"Payments.Polar.Server", c.Payments.Polar.Server, config.PolarProduction},
		{"Payments.PlansFile", c.Payments.PlansFile, ""},
		{"Payments.ReconcileInterval", c.Payments.ReconcileInterval, 6 * time.Hour},
		{"Payments.GraceDays", c.Payments.GraceDays, 7},
		{"Payments.Sandbox", c.Payments.Sandbox, config.Sandbox{}},
		{"Storage.Provider", c.Storage.Provider, config.StorageLocal},
		{"Storage.S3.ForcePathStyle", c.Storage.S3.ForcePathStyle, false},
		{"Storage.MaxUploadBytes", c.Storage.MaxUploadBytes, 5 << 20},
		{"Usage.Enabled", c.Usage.Enabled, false},
		{"Audit.RetentionDays", c.Audit.RetentionDays, 0},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %#v, want %#v", ch.name, ch.got, ch.want)
		}
	}
}

func TestLoadEmptyIsDefault(t *testing.T) {
	t.Parallel()
	// Every variable set to "" or white space behaves as if unset.
	blank := env{}
	for i, v := range config.Variables() {
		blank[v.Name] = []string{"", " ", "\t"}[i%3]
	}
	if got, want := load(t, blank), config.Default(); !reflect.DeepEqual(got, want) {
		t.Errorf("Load(blank) = %+v, want the defaults %+v", got, want)
	}
	c, err := config.Load(nil)
	if err != nil || !reflect.DeepEqual(c, config.Default()) {
		t.Errorf("Load(nil) = %+v, %v; want the defaults", c, err)
	}
}

func TestLoadGoodValues(t *testing.T) {
	t.Parallel()
	c := load(t, env{
		"PORT":                       " 9090 ",
		"SERVER_URL":                 "HTTPS://App.Example.com/base/",
		"WEB_ORIGINS":                "https://App.Example.com, http://localhost:3000,,https://app.example.com:443/, http://[::1]:5173",
		"SHUTDOWN_TIMEOUT":           "1m30s",
		"DATABASE_URL":               "postgresql://gw:pw@db.internal:5432/gw?sslmode=disable",
		"DATA_DIR":                   "/var/lib/groundwork",
		"AUTO_MIGRATE":               "0",
		"LOG_LEVEL":                  "WARN",
		"LOG_FORMAT":                 "json",
		"REQUIRE_EMAIL_VERIFICATION": "TRUE",
		"EMAIL_PROVIDER":             "SMTP",
		"EMAIL_FROM":                 "no-reply@acme.com",
		"PRODUCT_NAME":               "Acme Cloud",
		"BRAND_COLOR":                "#ABC",
		"SMTP_HOST":                  "smtp.acme.com",
		"SMTP_PORT":                  "465",
		"SMTP_USERNAME":              "mailer",
		"SMTP_PASSWORD":              "pass word",
		"SMTP_TLS":                   "implicit",
		"PAYMENT_PROVIDER":           "polar",
		"POLAR_ACCESS_TOKEN":         "polar_oat_123",
		"POLAR_WEBHOOK_SECRET":       "whsec_456",
		"POLAR_SERVER":               "sandbox",
		"PLANS_FILE":                 "/etc/groundwork/plans.yaml",
		"BILLING_RECONCILE_INTERVAL": "30m",
		"BILLING_GRACE_DAYS":         "0",
		"POLAR_API_BASE":             "http://127.0.0.1:4010",
		"STORAGE_PROVIDER":           "s3",
		"S3_BUCKET":                  "avatars",
		"AWS_REGION":                 "eu-west-1",
		"S3_ENDPOINT":                "http://localhost:9000",
		"S3_PUBLIC_URL":              "https://cdn.acme.com",
		"S3_FORCE_PATH_STYLE":        "true",
		"USAGE_METERING_ENABLED":     "1",
		"AUDIT_RETENTION_DAYS":       "365",
	})

	checks := []struct {
		name      string
		got, want any
	}{
		{"Server.Port", c.Server.Port, 9090},
		{"Server.Addr", c.Server.Addr(), ":9090"},
		{"Server.URL", c.Server.URL.String(), "https://app.example.com/base"},
		{"Server.Secure", c.Server.Secure(), true},
		{"Server.WebOrigins", strings.Join(c.Server.WebOrigins, " "), "https://app.example.com http://localhost:3000 http://[::1]:5173"},
		{"Server.ShutdownTimeout", c.Server.ShutdownTimeout, 90 * time.Second},
		{"Database.URL", c.Database.URL, "postgresql://gw:pw@db.internal:5432/gw?sslmode=disable"},
		{"Database.IsPostgres", c.Database.IsPostgres(), true},
		{"Database.SQLitePath", c.Database.SQLitePath(), "/var/lib/groundwork/groundwork.db"},
		{"Database.AutoMigrate", c.Database.AutoMigrate, false},
		{"Log.Level", c.Log.Level, slog.LevelWarn},
		{"Log.Format", c.Log.Format, config.LogFormatJSON},
		{"Auth.RequireEmailVerification", c.Auth.RequireEmailVerification, true},
		{"Email.Provider", c.Email.Provider, config.EmailSMTP},
		{"Email.From", c.Email.From, "no-reply@acme.com"},
		{"Email.ProductName", c.Email.ProductName, "Acme Cloud"},
		{"Email.BrandColor", c.Email.BrandColor, "#abc"},
		{"Email.SMTP", c.Email.SMTP, config.SMTP{Host: "smtp.acme.com", Port: 465, Username: "mailer", Password: "pass word", TLS: config.SMTPTLSImplicit}},
		{"Email.SES.Region", c.Email.SES.Region, "eu-west-1"},
		{"Payments.Provider", c.Payments.Provider, config.PaymentPolar},
		{"Payments.Polar", c.Payments.Polar, config.Polar{AccessToken: "polar_oat_123", WebhookSecret: "whsec_456", Server: config.PolarSandbox, APIBase: "http://127.0.0.1:4010"}},
		{"Payments.PlansFile", c.Payments.PlansFile, "/etc/groundwork/plans.yaml"},
		{"Payments.ReconcileInterval", c.Payments.ReconcileInterval, 30 * time.Minute},
		{"Payments.GraceDays", c.Payments.GraceDays, 0},
		{"Storage.Provider", c.Storage.Provider, config.StorageS3},
		{"Storage.S3", c.Storage.S3, config.S3{Bucket: "avatars", Region: "eu-west-1", Endpoint: "http://localhost:9000", PublicURL: "https://cdn.acme.com", ForcePathStyle: true}},
		{"Usage.Enabled", c.Usage.Enabled, true},
		{"Audit.RetentionDays", c.Audit.RetentionDays, 365},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %#v, want %#v", ch.name, ch.got, ch.want)
		}
	}
}

func TestLoadProviders(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		env   env
		check func(c config.Config) bool
	}{
		{"resend", env{"EMAIL_PROVIDER": "resend", "RESEND_API_KEY": "re_123", "RESEND_BASE_URL": "http://127.0.0.1:1234"},
			func(c config.Config) bool {
				return c.Email.Provider == config.EmailResend && c.Email.ResendAPIKey == "re_123" && c.Email.ResendBaseURL == "http://127.0.0.1:1234"
			}},
		{"ses", env{"EMAIL_PROVIDER": "ses", "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL_SES": "http://localhost:4566"},
			func(c config.Config) bool {
				return c.Email.SES == config.SES{Region: "us-east-1", Endpoint: "http://localhost:4566"}
			}},
		{"file and none", env{"EMAIL_PROVIDER": "file", "STORAGE_PROVIDER": "null"},
			func(c config.Config) bool {
				return c.Email.Provider == config.EmailFile && c.Storage.Provider == config.StorageNull
			}},
		{"stripe", env{"PAYMENT_PROVIDER": "stripe", "STRIPE_SECRET_KEY": "sk_test_123", "STRIPE_WEBHOOK_SECRET": "whsec_123", "STRIPE_API_BASE": "http://localhost:12111"},
			func(c config.Config) bool {
				return c.Payments.Stripe == config.Stripe{SecretKey: "sk_test_123", WebhookSecret: "whsec_123", APIBase: "http://localhost:12111"}
			}},
		{"mercadopago", env{"PAYMENT_PROVIDER": "mercadopago", "MERCADOPAGO_ACCESS_TOKEN": "APP_USR-1", "MERCADOPAGO_WEBHOOK_SECRET": "s3cret"},
			func(c config.Config) bool {
				return c.Payments.MercadoPago == config.MercadoPago{AccessToken: "APP_USR-1", WebhookSecret: "s3cret"}
			}},
		{"sandbox", env{"PAYMENT_PROVIDER": "Sandbox", "BILLING_SANDBOX_WEBHOOK_SECRET": "sandbox_whsec"},
			func(c config.Config) bool {
				return c.Payments.Provider == config.PaymentSandbox && c.Payments.Sandbox == config.Sandbox{WebhookSecret: "sandbox_whsec"}
			}},
		{"sandbox over https when allowed", env{"PAYMENT_PROVIDER": "sandbox", "SERVER_URL": "https://demo.example.com", "BILLING_SANDBOX_ALLOW_HTTPS": "true"},
			func(c config.Config) bool {
				return c.Payments.Provider == config.PaymentSandbox && c.Payments.Sandbox.AllowHTTPS && c.Server.Secure()
			}},
		{"sandbox over http needs no opt-in", env{"PAYMENT_PROVIDER": "sandbox", "SERVER_URL": "http://demo.internal"},
			func(c config.Config) bool {
				return c.Payments.Provider == config.PaymentSandbox && !c.Payments.Sandbox.AllowHTTPS
			}},
		{"https without the sandbox needs no opt-in", env{"SERVER_URL": "https://app.example.com"},
			func(c config.Config) bool {
				return c.Payments.Provider == config.PaymentNone && !c.Payments.Sandbox.AllowHTTPS
			}},
		{"uploadthing", env{"STORAGE_PROVIDER": "uploadthing", "UPLOADTHING_TOKEN": "eyJhcGlLZXkiOiJza19saXZlIn0="},
			func(c config.Config) bool {
				return c.Storage.Provider == config.StorageUploadThing && c.Storage.UploadThing.Token == "eyJhcGlLZXkiOiJza19saXZlIn0="
			}},
		{"credentials without their provider are kept but not required", env{"STRIPE_SECRET_KEY": "sk_test_1"},
			func(c config.Config) bool {
				return c.Payments.Provider == config.PaymentNone && c.Payments.Stripe.SecretKey == "sk_test_1"
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if c := load(t, tt.env); !tt.check(c) {
				t.Errorf("Load(%v) = %+v", tt.env, c)
			}
		})
	}
}

func TestLoadBadValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		env      env
		variable string
		allowed  string // a fragment of the message saying what is allowed
	}{
		{"port not a number", env{"PORT": "abc"}, "PORT", "integer between 1 and 65535"},
		{"port zero", env{"PORT": "0"}, "PORT", "integer between 1 and 65535"},
		{"port too large", env{"PORT": "65536"}, "PORT", "integer between 1 and 65535"},
		{"port negative", env{"PORT": "-1"}, "PORT", "integer between 1 and 65535"},
		{"server url relative", env{"SERVER_URL": "example.com"}, "SERVER_URL", "absolute http or https URL"},
		{"server url scheme", env{"SERVER_URL": "ftp://example.com"}, "SERVER_URL", "absolute http or https URL"},
		{"server url no host", env{"SERVER_URL": "https://"}, "SERVER_URL", "absolute http or https URL"},
		{"server url malformed", env{"SERVER_URL": "http://exa mple.com:port"}, "SERVER_URL", "absolute http or https URL"},
		{"server url query", env{"SERVER_URL": "https://example.com/?a=1"}, "SERVER_URL", "no query or fragment"},
		{"server url fragment", env{"SERVER_URL": "https://example.com/#top"}, "SERVER_URL", "no query or fragment"},
		{"origin with path", env{"WEB_ORIGINS": "https://app.example.com/app"}, "WEB_ORIGINS", "no path, query or fragment"},
		{"origin with query", env{"WEB_ORIGINS": "http://localhost:3000, https://a.example.com?x=1"}, "WEB_ORIGINS", "no path, query or fragment"},
		{"origin without scheme", env{"WEB_ORIGINS": "app.example.com"}, "WEB_ORIGINS", "http(s)://host[:port]"},
		{"origin wildcard", env{"WEB_ORIGINS": "*"}, "WEB_ORIGINS", "http(s)://host[:port]"},
		{"shutdown not a duration", env{"SHUTDOWN_TIMEOUT": "30"}, "SHUTDOWN_TIMEOUT", "positive Go duration"},
		{"shutdown zero", env{"SHUTDOWN_TIMEOUT": "0s"}, "SHUTDOWN_TIMEOUT", "positive Go duration"},
		{"shutdown negative", env{"SHUTDOWN_TIMEOUT": "-5s"}, "SHUTDOWN_TIMEOUT", "positive Go duration"},
		{"job timeout zero", env{"JOB_TIMEOUT": "0s"}, "JOB_TIMEOUT", "positive Go duration"},
		{"cookie prefix with a space", env{"AUTH_COOKIE_PREFIX": "my app"}, "AUTH_COOKIE_PREFIX", "1 to 64"},
		{"impersonation for a week", env{"IMPERSONATION_MAX": "168h"}, "IMPERSONATION_MAX", "1m to 24h"},
		{"impersonation of no time", env{"IMPERSONATION_MAX": "30s"}, "IMPERSONATION_MAX", "1m to 24h"},
		{"rescue not after the timeout", env{"JOB_TIMEOUT": "5m", "JOB_RESCUE_AFTER": "5m"}, "JOB_RESCUE_AFTER", "longer than JOB_TIMEOUT (5m0s)"},
		{"rescue not a duration", env{"JOB_RESCUE_AFTER": "soon"}, "JOB_RESCUE_AFTER", "longer than JOB_TIMEOUT"},
		{"database other scheme", env{"DATABASE_URL": "mysql://db/gw"}, "DATABASE_URL", "postgres:// or postgresql://"},
		{"database no host", env{"DATABASE_URL": "postgres:///gw"}, "DATABASE_URL", "postgres:// or postgresql://"},
		{"database malformed", env{"DATABASE_URL": "postgres://db:port/gw"}, "DATABASE_URL", "postgres:// or postgresql://"},
		{"bad bool auto migrate", env{"AUTO_MIGRATE": "yes"}, "AUTO_MIGRATE", "true or false"},
		{"bad bool email verification", env{"REQUIRE_EMAIL_VERIFICATION": "on"}, "REQUIRE_EMAIL_VERIFICATION", "true or false"},
		{"bad bool path style", env{"S3_FORCE_PATH_STYLE": "2"}, "S3_FORCE_PATH_STYLE", "true or false"},
		{"upload limit too small", env{"UPLOAD_MAX_BYTES": "10"}, "UPLOAD_MAX_BYTES", "1024"},
		{"upload limit not a number", env{"UPLOAD_MAX_BYTES": "5MB"}, "UPLOAD_MAX_BYTES", ""},
		{"bad bool usage", env{"USAGE_METERING_ENABLED": "enabled"}, "USAGE_METERING_ENABLED", "true or false"},
		{"log level", env{"LOG_LEVEL": "verbose"}, "LOG_LEVEL", "debug, info, warn, error"},
		{"log format", env{"LOG_FORMAT": "xml"}, "LOG_FORMAT", "text, json"},
		{"email provider", env{"EMAIL_PROVIDER": "sendgrid"}, "EMAIL_PROVIDER", "log, file, smtp, resend, ses, none"},
		{"email from", env{"EMAIL_FROM": "Groundwork"}, "EMAIL_FROM", "email address"},
		{"brand color name", env{"BRAND_COLOR": "indigo"}, "BRAND_COLOR", "#rgb or #rrggbb"},
		{"brand color length", env{"BRAND_COLOR": "#4f46e"}, "BRAND_COLOR", "#rgb or #rrggbb"},
		{"brand color digits", env{"BRAND_COLOR": "#4g46e5"}, "BRAND_COLOR", "#rgb or #rrggbb"},
		{"resend base url", env{"RESEND_BASE_URL": "localhost:1234"}, "RESEND_BASE_URL", "absolute http or https URL"},
		{"smtp host with port", env{"SMTP_HOST": "smtp.acme.com:25"}, "SMTP_HOST", "SMTP_PORT"},
		{"smtp port", env{"SMTP_PORT": "smtp"}, "SMTP_PORT", "integer between 1 and 65535"},
		{"smtp tls", env{"SMTP_TLS": "ssl"}, "SMTP_TLS", "starttls, implicit, none"},
		{"ses endpoint", env{"AWS_ENDPOINT_URL_SES": "not a url"}, "AWS_ENDPOINT_URL_SES", "absolute http or https URL"},
		{"payment provider", env{"PAYMENT_PROVIDER": "paypal"}, "PAYMENT_PROVIDER", "none, stripe, mercadopago, polar, sandbox"},
		{"plans file with a line break", env{"PLANS_FILE": "plans\n.yaml"}, "PLANS_FILE", "control characters"},
		{"reconcile too often", env{"BILLING_RECONCILE_INTERVAL": "30s"}, "BILLING_RECONCILE_INTERVAL", "1m to 168h"},
		{"reconcile too rarely", env{"BILLING_RECONCILE_INTERVAL": "169h"}, "BILLING_RECONCILE_INTERVAL", "1m to 168h"},
		{"reconcile not a duration", env{"BILLING_RECONCILE_INTERVAL": "6"}, "BILLING_RECONCILE_INTERVAL", "1m to 168h"},
		{"grace negative", env{"BILLING_GRACE_DAYS": "-1"}, "BILLING_GRACE_DAYS", "integer between 0 and 90"},
		{"grace too long", env{"BILLING_GRACE_DAYS": "91"}, "BILLING_GRACE_DAYS", "integer between 0 and 90"},
		{"grace not a number", env{"BILLING_GRACE_DAYS": "a week"}, "BILLING_GRACE_DAYS", "integer between 0 and 90"},
		{"bad bool sandbox https", env{"BILLING_SANDBOX_ALLOW_HTTPS": "yes"}, "BILLING_SANDBOX_ALLOW_HTTPS", "true or false"},
		{"sandbox over https refused", env{"PAYMENT_PROVIDER": "sandbox", "SERVER_URL": "https://app.example.com", "BILLING_SANDBOX_ALLOW_HTTPS": "false"}, "BILLING_SANDBOX_ALLOW_HTTPS", "must be true to run PAYMENT_PROVIDER=sandbox with an https SERVER_URL"},
		{"sandbox webhook secret with a space", env{"BILLING_SANDBOX_WEBHOOK_SECRET": "two words"}, "BILLING_SANDBOX_WEBHOOK_SECRET", "must not contain spaces"},
		{"three stripe webhook secrets", env{"STRIPE_WEBHOOK_SECRET": "whsec_a,whsec_b,whsec_c"}, "STRIPE_WEBHOOK_SECRET", "one secret, or two separated by a comma while rotating (the new one first); 3 given"},
		{"stripe webhook secret trailing comma", env{"STRIPE_WEBHOOK_SECRET": "whsec_a,"}, "STRIPE_WEBHOOK_SECRET", "secret 2 is empty"},
		{"stripe webhook secret leading comma", env{"STRIPE_WEBHOOK_SECRET": ", whsec_b"}, "STRIPE_WEBHOOK_SECRET", "secret 1 is empty"},
		{"stripe webhook secret with a space", env{"STRIPE_WEBHOOK_SECRET": "whsec_a, whsec b"}, "STRIPE_WEBHOOK_SECRET", "must not contain spaces"},
		{"mercadopago webhook secret empty item", env{"MERCADOPAGO_WEBHOOK_SECRET": "new,,old"}, "MERCADOPAGO_WEBHOOK_SECRET", "secret 2 is empty"},
		{"three polar webhook secrets", env{"POLAR_WEBHOOK_SECRET": "a,b,c"}, "POLAR_WEBHOOK_SECRET", "3 given"},
		{"polar webhook secret only a comma", env{"POLAR_WEBHOOK_SECRET": ","}, "POLAR_WEBHOOK_SECRET", "secret 1 is empty"},
		{"stripe api base", env{"STRIPE_API_BASE": "/v1"}, "STRIPE_API_BASE", "absolute http or https URL"},
		{"polar server", env{"POLAR_SERVER": "staging"}, "POLAR_SERVER", "production, sandbox"},
		{"polar api base", env{"POLAR_API_BASE": "ws://polar"}, "POLAR_API_BASE", "absolute http or https URL"},
		{"storage provider", env{"STORAGE_PROVIDER": "gcs"}, "STORAGE_PROVIDER", "null, local, s3, uploadthing"},
		{"s3 endpoint", env{"S3_ENDPOINT": "minio:9000"}, "S3_ENDPOINT", "absolute http or https URL"},
		{"s3 public url", env{"S3_PUBLIC_URL": "cdn.acme.com"}, "S3_PUBLIC_URL", "absolute http or https URL"},
		{"retention not a number", env{"AUDIT_RETENTION_DAYS": "forever"}, "AUDIT_RETENTION_DAYS", "0 or more"},
		{"retention negative", env{"AUDIT_RETENTION_DAYS": "-1"}, "AUDIT_RETENTION_DAYS", "0 or more"},

		{"resend without key", env{"EMAIL_PROVIDER": "resend"}, "RESEND_API_KEY", "required when EMAIL_PROVIDER=resend"},
		{"smtp without host", env{"EMAIL_PROVIDER": "smtp"}, "SMTP_HOST", "required when EMAIL_PROVIDER=smtp"},
		{"ses without region", env{"EMAIL_PROVIDER": "ses"}, "AWS_REGION", "required when EMAIL_PROVIDER=ses"},
		{"stripe without secret key", env{"PAYMENT_PROVIDER": "stripe", "STRIPE_WEBHOOK_SECRET": "whsec_1"}, "STRIPE_SECRET_KEY", "required when PAYMENT_PROVIDER=stripe"},
		{"stripe without webhook secret", env{"PAYMENT_PROVIDER": "stripe", "STRIPE_SECRET_KEY": "sk_test_1"}, "STRIPE_WEBHOOK_SECRET", "required when PAYMENT_PROVIDER=stripe"},
		{"mercadopago without token", env{"PAYMENT_PROVIDER": "mercadopago", "MERCADOPAGO_WEBHOOK_SECRET": "s"}, "MERCADOPAGO_ACCESS_TOKEN", "required when PAYMENT_PROVIDER=mercadopago"},
		{"mercadopago without webhook secret", env{"PAYMENT_PROVIDER": "mercadopago", "MERCADOPAGO_ACCESS_TOKEN": "t"}, "MERCADOPAGO_WEBHOOK_SECRET", "required when PAYMENT_PROVIDER=mercadopago"},
		{"polar without token", env{"PAYMENT_PROVIDER": "polar", "POLAR_WEBHOOK_SECRET": "s"}, "POLAR_ACCESS_TOKEN", "required when PAYMENT_PROVIDER=polar"},
		{"polar without webhook secret", env{"PAYMENT_PROVIDER": "polar", "POLAR_ACCESS_TOKEN": "t"}, "POLAR_WEBHOOK_SECRET", "required when PAYMENT_PROVIDER=polar"},
		{"s3 without bucket", env{"STORAGE_PROVIDER": "s3", "AWS_REGION": "us-east-1"}, "S3_BUCKET", "required when STORAGE_PROVIDER=s3"},
		{"s3 without region", env{"STORAGE_PROVIDER": "s3", "S3_BUCKET": "b"}, "AWS_REGION", "required when STORAGE_PROVIDER=s3"},
		{"uploadthing without token", env{"STORAGE_PROVIDER": "uploadthing"}, "UPLOADTHING_TOKEN", "required when STORAGE_PROVIDER=uploadthing"},
		{"blank credential is missing", env{"STORAGE_PROVIDER": "uploadthing", "UPLOADTHING_TOKEN": "  "}, "UPLOADTHING_TOKEN", "required when STORAGE_PROVIDER=uploadthing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := loadError(t, tt.env)
			if err.Variable != tt.variable {
				t.Errorf("Variable = %q, want %q (error: %v)", err.Variable, tt.variable, err)
			}
			want := strings.TrimSpace(tt.env[tt.variable])
			if isSecret(tt.variable) && want != "" {
				want = "<redacted>"
			}
			if err.Value != want {
				t.Errorf("Value = %q, want %q", err.Value, want)
			}
			msg := err.Error()
			if strings.ContainsAny(msg, "\r\n") {
				t.Errorf("message is not one line: %q", msg)
			}
			if !strings.HasPrefix(msg, tt.variable+"=") {
				t.Errorf("message %q does not start with %s=", msg, tt.variable)
			}
			if !strings.Contains(err.Allowed, tt.allowed) || !strings.Contains(msg, tt.allowed) {
				t.Errorf("message %q does not say %q", msg, tt.allowed)
			}
		})
	}
}

func isSecret(name string) bool {
	return slices.ContainsFunc(config.Variables(), func(v config.Variable) bool { return v.Name == name && v.Secret })
}

func TestErrorMessage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		env  env
		want string
	}{
		{env{"PORT": "abc"}, `PORT="abc": must be an integer between 1 and 65535`},
		{env{"PAYMENT_PROVIDER": "stripe"}, `STRIPE_SECRET_KEY="": required when PAYMENT_PROVIDER=stripe`},
		{env{"LOG_LEVEL": "loud\nERROR injected"}, `LOG_LEVEL="loud\nERROR injected": must be one of debug, info, warn, error`},
		// Unset, the opt-in is its default, false, and says so.
		{env{"PAYMENT_PROVIDER": "sandbox", "SERVER_URL": "https://app.example.com"},
			`BILLING_SANDBOX_ALLOW_HTTPS="false": must be true to run PAYMENT_PROVIDER=sandbox with an https SERVER_URL: the sandbox charges nothing, so a deployment that looks like production must opt in`},
		{env{"STRIPE_WEBHOOK_SECRET": "whsec_a,whsec_b,whsec_c"},
			`STRIPE_WEBHOOK_SECRET="<redacted>": must be one secret, or two separated by a comma while rotating (the new one first); 3 given`},
		{env{"BILLING_RECONCILE_INTERVAL": "10s"}, `BILLING_RECONCILE_INTERVAL="10s": must be a Go duration from 1m to 168h`},
		{env{"BILLING_GRACE_DAYS": "100"}, `BILLING_GRACE_DAYS="100": must be an integer between 0 and 90`},
	}
	for _, tt := range tests {
		if got := loadError(t, tt.env).Error(); got != tt.want {
			t.Errorf("Load(%v) error = %q, want %q", tt.env, got, tt.want)
		}
	}
}

func TestSecretsAreRedacted(t *testing.T) {
	t.Parallel()
	const secret = "hunter2 leaked"
	tests := []struct {
		variable string
		value    string
	}{
		{"DATABASE_URL", "mysql://root:" + secret + "@db/gw"},
		{"RESEND_API_KEY", "re_" + secret},
		{"SMTP_PASSWORD", secret + "\x00"},
		{"STRIPE_SECRET_KEY", "sk_" + secret},
		{"STRIPE_WEBHOOK_SECRET", "whsec_" + secret},
		{"MERCADOPAGO_ACCESS_TOKEN", secret},
		{"MERCADOPAGO_WEBHOOK_SECRET", secret},
		{"POLAR_ACCESS_TOKEN", secret},
		{"POLAR_WEBHOOK_SECRET", secret},
		{"UPLOADTHING_TOKEN", secret},
		{"BILLING_SANDBOX_WEBHOOK_SECRET", secret},
	}
	tested := map[string]bool{}
	for _, tt := range tests {
		tested[tt.variable] = true
		err := loadError(t, env{tt.variable: tt.value})
		if err.Variable != tt.variable {
			t.Errorf("%s: error names %s: %v", tt.variable, err.Variable, err)
			continue
		}
		if err.Value != "<redacted>" {
			t.Errorf("%s: Value = %q, want <redacted>", tt.variable, err.Value)
		}
		if msg := err.Error(); strings.Contains(msg, "hunter2") || !strings.Contains(msg, `"<redacted>"`) {
			t.Errorf("%s: message %q shows the secret or lacks the placeholder", tt.variable, msg)
		}
	}
	// Every secret in the table has a case here, so a new one cannot slip by.
	for _, v := range config.Variables() {
		if v.Secret && !tested[v.Name] {
			t.Errorf("secret %s has no redaction case", v.Name)
		}
		if !v.Secret && tested[v.Name] {
			t.Errorf("%s is tested as a secret but is not marked Secret", v.Name)
		}
	}
}

func TestFirstErrorIsDeterministic(t *testing.T) {
	t.Parallel()
	// Malformed values are reported before missing credentials, each group
	// in table order, whatever the map iteration order of the environment.
	e := env{
		"UPLOADTHING_TOKEN":    "",
		"STORAGE_PROVIDER":     "uploadthing",
		"AUDIT_RETENTION_DAYS": "-3",
		"LOG_FORMAT":           "xml",
		"PORT":                 "x",
		"PAYMENT_PROVIDER":     "stripe",
	}
	wantOrder := []string{"PORT", "LOG_FORMAT", "AUDIT_RETENTION_DAYS", "STRIPE_SECRET_KEY", "UPLOADTHING_TOKEN"}
	for _, want := range wantOrder {
		for range 5 {
			if got := loadError(t, e).Variable; got != want {
				t.Fatalf("first error names %s, want %s", got, want)
			}
		}
		switch want {
		case "STRIPE_SECRET_KEY":
			delete(e, "PAYMENT_PROVIDER")
		case "UPLOADTHING_TOKEN":
			delete(e, "STORAGE_PROVIDER")
		default:
			delete(e, want)
		}
	}
	if _, err := config.Load(e.lookup); err != nil {
		t.Fatalf("Load after fixing every error: %v", err)
	}
}

func TestWebhookSecretRotation(t *testing.T) {
	t.Parallel()
	c := load(t, env{
		"PAYMENT_PROVIDER":           "stripe",
		"STRIPE_SECRET_KEY":          "sk_test_1",
		"STRIPE_WEBHOOK_SECRET":      " whsec_new , whsec_old ",
		"MERCADOPAGO_WEBHOOK_SECRET": "mp_only",
		"POLAR_WEBHOOK_SECRET":       "polar_new,polar_old",
	})
	checks := []struct {
		name      string
		raw       string
		got, want []string
	}{
		{"Stripe", c.Payments.Stripe.WebhookSecret, c.Payments.Stripe.WebhookSecrets(), []string{"whsec_new", "whsec_old"}},
		{"MercadoPago", c.Payments.MercadoPago.WebhookSecret, c.Payments.MercadoPago.WebhookSecrets(), []string{"mp_only"}},
		{"Polar", c.Payments.Polar.WebhookSecret, c.Payments.Polar.WebhookSecrets(), []string{"polar_new", "polar_old"}},
	}
	for _, ch := range checks {
		if !slices.Equal(ch.got, ch.want) {
			t.Errorf("%s.WebhookSecrets() = %q, want %q", ch.name, ch.got, ch.want)
		}
		// The field keeps the list, normalized, for code that reads it.
		if want := strings.Join(ch.want, ","); ch.raw != want {
			t.Errorf("%s.WebhookSecret = %q, want %q", ch.name, ch.raw, want)
		}
	}

	// Unset: no secrets. Hand-built with blanks: the blanks are dropped.
	if got := config.Default().Payments.Stripe.WebhookSecrets(); len(got) != 0 {
		t.Errorf("default WebhookSecrets() = %q, want none", got)
	}
	if got := (config.Polar{WebhookSecret: " a ,, b,"}).WebhookSecrets(); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("WebhookSecrets of a hand-built list = %q, want [a b]", got)
	}

	// A refused list never shows any of its secrets.
	for _, v := range []string{"whsec_hunter2,whsec_old,whsec_older", "whsec_hunter2,", "whsec_hunter2, hunter 3"} {
		msg := loadError(t, env{"STRIPE_WEBHOOK_SECRET": v}).Error()
		if strings.Contains(msg, "hunter") {
			t.Errorf("STRIPE_WEBHOOK_SECRET=%q: message %q shows a secret", v, msg)
		}
	}
}

func TestVariablesTable(t *testing.T) {
	t.Parallel()
	vars := config.Variables()
	seen := map[string]bool{}
	for _, v := range vars {
		if seen[v.Name] {
			t.Errorf("%s is listed twice", v.Name)
		}
		seen[v.Name] = true
		if v.Name == "" || strings.ToUpper(v.Name) != v.Name || strings.ContainsAny(v.Name, " -=") {
			t.Errorf("%q is not an environment variable name", v.Name)
		}
		if !strings.HasSuffix(v.Description, ".") || len(v.Description) < 10 {
			t.Errorf("%s: description %q is not a sentence", v.Name, v.Description)
		}
		if v.Secret && v.Default != "" {
			t.Errorf("secret %s has a default", v.Name)
		}
	}

	// Variables returns a copy: changing it changes nothing.
	vars[0].Name = "CHANGED"
	if config.Variables()[0].Name == "CHANGED" {
		t.Error("Variables returned the table itself")
	}
}

func TestLoadReadsExactlyTheTable(t *testing.T) {
	t.Parallel()
	var read []string
	if _, err := config.Load(func(key string) (string, bool) {
		read = append(read, key)
		return "", false
	}); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, v := range config.Variables() {
		names = append(names, v.Name)
	}
	if !slices.Equal(read, names) {
		t.Errorf("Load read %v,\nthe table lists %v", read, names)
	}
}

// samples holds, for every variable, an environment that sets it to a good,
// non-default value (with whatever else that value needs). Loading it with
// and without the variable must give different Configs, which proves the
// variable is wired to a field; a variable added to the table without a
// sample fails the test.
var samples = map[string]env{
	"PORT":                       {"PORT": "9000"},
	"SERVER_URL":                 {"SERVER_URL": "https://example.com"},
	"WEB_ORIGINS":                {"WEB_ORIGINS": "https://example.com"},
	"SHUTDOWN_TIMEOUT":           {"SHUTDOWN_TIMEOUT": "5s"},
	"JOB_TIMEOUT":                {"JOB_TIMEOUT": "2m"},
	"JOB_RESCUE_AFTER":           {"JOB_RESCUE_AFTER": "10m"},
	"DATABASE_URL":               {"DATABASE_URL": "postgres://localhost/gw"},
	"DATA_DIR":                   {"DATA_DIR": "/tmp/gw"},
	"AUTO_MIGRATE":               {"AUTO_MIGRATE": "false"},
	"LOG_LEVEL":                  {"LOG_LEVEL": "debug"},
	"LOG_FORMAT":                 {"LOG_FORMAT": "json"},
	"REQUIRE_EMAIL_VERIFICATION": {"REQUIRE_EMAIL_VERIFICATION": "true"},
	"EMAIL_PROVIDER":             {"EMAIL_PROVIDER": "none"},
	"EMAIL_FROM":                 {"EMAIL_FROM": "a@example.com"},
	"PRODUCT_NAME":               {"PRODUCT_NAME": "Acme"},
	"BRAND_COLOR":                {"BRAND_COLOR": "#000"},
	"RESEND_API_KEY":             {"RESEND_API_KEY": "re_1"},
	"RESEND_BASE_URL":            {"RESEND_BASE_URL": "http://localhost:1"},
	"SMTP_HOST":                  {"SMTP_HOST": "smtp.example.com"},
	"SMTP_PORT":                  {"SMTP_PORT": "25"},
	"SMTP_USERNAME":              {"SMTP_USERNAME": "u"},
	"SMTP_PASSWORD":              {"SMTP_PASSWORD": "p"},
	"SMTP_TLS":                   {"SMTP_TLS": "none"},
	"AWS_REGION":                 {"AWS_REGION": "us-east-1"},
	"AWS_ENDPOINT_URL_SES":       {"AWS_ENDPOINT_URL_SES": "http://localhost:2"},
	"PAYMENT_PROVIDER":           {"PAYMENT_PROVIDER": "polar", "POLAR_ACCESS_TOKEN": "t", "POLAR_WEBHOOK_SECRET": "s"},
	"STRIPE_SECRET_KEY":          {"STRIPE_SECRET_KEY": "sk_test_1"},
	"STRIPE_WEBHOOK_SECRET":      {"STRIPE_WEBHOOK_SECRET": "whsec_1"},
	"STRIPE_API_BASE":            {"STRIPE_API_BASE": "http://localhost:3"},
	"MERCADOPAGO_ACCESS_TOKEN":   {"MERCADOPAGO_ACCESS_TOKEN": "t"},
	"MERCADOPAGO_WEBHOOK_SECRET": {"MERCADOPAGO_WEBHOOK_SECRET": "s"},
	"MERCADOPAGO_API_BASE":       {"MERCADOPAGO_API_BASE": "http://localhost:9"},
	"POLAR_ACCESS_TOKEN":         {"POLAR_ACCESS_TOKEN": "t"},
	"POLAR_WEBHOOK_SECRET":       {"POLAR_WEBHOOK_SECRET": "s"},
	"POLAR_SERVER":               {"POLAR_SERVER": "sandbox"},
	"POLAR_API_BASE":             {"POLAR_API_BASE": "http://localhost:4"},
	"STORAGE_PROVIDER":           {"STORAGE_PROVIDER": "null"},
	"S3_BUCKET":                  {"S3_BUCKET": "b"},
	"S3_ENDPOINT":                {"S3_ENDPOINT": "http://localhost:5"},
	"S3_PUBLIC_URL":              {"S3_PUBLIC_URL": "http://localhost:6"},
	"S3_FORCE_PATH_STYLE":        {"S3_FORCE_PATH_STYLE": "true"},
	"UPLOADTHING_TOKEN":          {"UPLOADTHING_TOKEN": "t"},
	"UPLOADTHING_API_BASE":       {"UPLOADTHING_API_BASE": "http://localhost:7"},
	"UPLOADTHING_FILE_HOST":      {"UPLOADTHING_FILE_HOST": "http://localhost:8"},
	"UPLOAD_MAX_BYTES":           {"UPLOAD_MAX_BYTES": "2048"},
	"USAGE_METERING_ENABLED":     {"USAGE_METERING_ENABLED": "true"},
	"AUDIT_RETENTION_DAYS":       {"AUDIT_RETENTION_DAYS": "30"},
	"AUTH_RATE_LIMIT":            {"AUTH_RATE_LIMIT": "false"},
	"AUTH_COOKIE_PREFIX":         {"AUTH_COOKIE_PREFIX": "better-auth"},
	"IMPERSONATION_MAX":          {"IMPERSONATION_MAX": "30m"},

	"PLANS_FILE":                     {"PLANS_FILE": "plans.yaml"},
	"BILLING_RECONCILE_INTERVAL":     {"BILLING_RECONCILE_INTERVAL": "1h"},
	"BILLING_GRACE_DAYS":             {"BILLING_GRACE_DAYS": "3"},
	"BILLING_SANDBOX_ALLOW_HTTPS":    {"BILLING_SANDBOX_ALLOW_HTTPS": "true"},
	"BILLING_SANDBOX_WEBHOOK_SECRET": {"BILLING_SANDBOX_WEBHOOK_SECRET": "s"},
}

func TestEveryVariableIsUsed(t *testing.T) {
	t.Parallel()
	for _, v := range config.Variables() {
		with, ok := samples[v.Name]
		if !ok {
			t.Errorf("%s has no sample", v.Name)
			continue
		}
		if with[v.Name] == v.Default {
			t.Errorf("%s: sample %q is the default", v.Name, with[v.Name])
		}
		without := maps.Clone(with)
		delete(without, v.Name)
		if reflect.DeepEqual(load(t, with), load(t, without)) {
			t.Errorf("%s=%q changed nothing in Config", v.Name, with[v.Name])
		}
	}
	for name := range samples {
		if !slices.ContainsFunc(config.Variables(), func(v config.Variable) bool { return v.Name == name }) {
			t.Errorf("sample for %s, which is not in the table", name)
		}
	}
}
func TestFieldDocsNameTheirVariables(t *testing.T) {
	t.Parallel()
	// Defaults are documented on the struct fields; keep those comments and
	// the table naming the same variables.
	src, err := os.ReadFile("config.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range config.Variables() {
		if !strings.Contains(string(src), "("+v.Name) {
			t.Errorf("no field comment in config.go names %s", v.Name)
		}
	}
}

func TestServerURLPointerIsPerLoad(t *testing.T) {
	t.Parallel()
	a, b := config.Default(), config.Default()
	a.Server.URL.Host = "mutated"
	if b.Server.URL.Host != "localhost:8080" {
		t.Errorf("two Loads share one *url.URL: %v", b.Server.URL)
	}
}

func TestServerURLFollowsPort(t *testing.T) {
	t.Parallel()
	c, err := config.Load(env{"PORT": "9090"}.lookup)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Server.URL.String(); got != "http://localhost:9090" {
		t.Errorf("SERVER_URL default with PORT=9090 = %q, want http://localhost:9090", got)
	}
	c, err = config.Load(env{"PORT": "9090", "SERVER_URL": "https://app.example.com"}.lookup)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Server.URL.String(); got != "https://app.example.com" {
		t.Errorf("explicit SERVER_URL = %q", got)
	}
}
