package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Variable documents one environment variable Load reads.
type Variable struct {
	// Name is the environment variable's name, such as "PORT".
	Name string
	// Default is the value used when the variable is unset or empty; "" when
	// there is none.
	Default string
	// Description says what the variable does and what it accepts.
	Description string
	// Secret marks credentials: their values never appear in errors.
	Secret bool
}

// Variables returns every variable Load reads, in the order Load checks
// them, for generating documentation and help. The slice is a fresh copy.
func Variables() []Variable {
	vars := make([]Variable, len(specs))
	for i, s := range specs {
		vars[i] = s.Variable
	}
	return vars
}

// Default returns the configuration of an empty environment: SQLite under
// ./data, port 8080, log email, local storage and no payments.
func Default() Config {
	c, err := Load(nil)
	if err != nil {
		panic("config: a default value is invalid: " + err.Error())
	}
	return c
}

// Load reads every variable in Variables through lookup (pass os.LookupEnv)
// and returns the typed configuration. Values are trimmed of surrounding
// white space; unset and empty both mean the default. Enumerated values
// (providers, levels, formats) are matched without regard to case.
//
// Load checks each variable's value in table order, then, in the same order,
// the variables the chosen providers require, and returns the first problem
// as an *Error. A nil lookup is an empty environment.
func Load(lookup func(key string) (string, bool)) (Config, error) {
	if lookup == nil {
		lookup = func(string) (string, bool) { return "", false }
	}
	var c Config
	given := make([]string, len(specs))
	for i, s := range specs {
		v, _ := lookup(s.Name)
		v = strings.TrimSpace(v)
		given[i] = v
		if v == "" {
			v = s.Default
		}
		if err := s.set(&c, v); err != nil {
			shown := v
			if s.Secret && v != "" {
				shown = redacted
			}
			return Config{}, &Error{Variable: s.Name, Value: shown, Allowed: err.Error()}
		}
	}
	for i, s := range specs {
		if s.requiredWhen == nil || given[i] != "" {
			continue
		}
		if cond := s.requiredWhen(&c); cond != "" {
			return Config{}, &Error{Variable: s.Name, Value: "", Allowed: "required when " + cond}
		}
	}
	return c, nil
}

// spec is a Variable and how Load applies it. set receives the trimmed value,
// or the default when none was given, and returns an error whose text says
// what is allowed. requiredWhen, when not nil, names the setting that makes
// the variable required ("PAYMENT_PROVIDER=stripe"), or returns "".
type spec struct {
	Variable
	set          func(c *Config, v string) error
	requiredWhen func(c *Config) string
}

// specs is the single list of variables, grouped as Config is.
var specs = []spec{
	// Server
	{
		Variable: Variable{Name: "PORT", Default: "8080", Description: "TCP port the server listens on (1–65535)."},
		set:      setInt(1, 65535, func(c *Config) *int { return &c.Server.Port }),
	},
	{
		Variable: Variable{Name: "SERVER_URL", Description: "Public URL of the server, used in email links and local upload URLs; https marks cookies Secure. Default: http://localhost:$PORT."},
		set:      setServerURL,
	},
	{
		Variable: Variable{Name: "WEB_ORIGINS", Description: "Comma-separated front-end origins (scheme://host[:port]) trusted for CORS with credentials."},
		set:      setWebOrigins,
	},
	{
		Variable: Variable{Name: "SHUTDOWN_TIMEOUT", Default: "30s", Description: "How long a graceful shutdown waits for requests and jobs to finish (Go duration)."},
		set:      setWith(parseDuration, func(c *Config) *time.Duration { return &c.Server.ShutdownTimeout }),
	},

	// Database
	{
		Variable: Variable{Name: "DATABASE_URL", Description: "postgres:// URL for PostgreSQL; empty uses SQLite in DATA_DIR.", Secret: true},
		set:      setDatabaseURL,
	},
	{
		Variable: Variable{Name: "DATA_DIR", Default: "./data", Description: "Directory for the SQLite file, local uploads and the file mailbox."},
		set:      setString(func(c *Config) *string { return &c.Database.DataDir }),
	},
	{
		Variable: Variable{Name: "AUTO_MIGRATE", Default: "true", Description: "Apply pending migrations when the server starts."},
		set:      setBool(func(c *Config) *bool { return &c.Database.AutoMigrate }),
	},

	// Jobs
	{
		Variable: Variable{Name: "JOB_TIMEOUT", Default: "1m", Description: "How long one attempt of a background job may run before it is cancelled and retried (Go duration)."},
		set:      setWith(parseDuration, func(c *Config) *time.Duration { return &c.Jobs.Timeout }),
	},
	{
		Variable: Variable{Name: "JOB_RESCUE_AFTER", Default: "3m", Description: "How long a job may stay running before it is taken for the leftover of a process that died (kill -9, a lost machine) and run again; longer than JOB_TIMEOUT (Go duration)."},
		set:      setJobRescueAfter,
	},

	// Log
	{
		Variable: Variable{Name: "LOG_LEVEL", Default: "info", Description: "Minimum log level: debug, info, warn or error."},
		set:      setLogLevel,
	},
	{
		Variable: Variable{Name: "LOG_FORMAT", Default: LogFormatText, Description: "Log format: text, or json for production."},
		set:      setOneOf([]string{LogFormatText, LogFormatJSON}, func(c *Config) *string { return &c.Log.Format }),
	},

	// Auth
	{
		Variable: Variable{Name: "REQUIRE_EMAIL_VERIFICATION", Default: "false", Description: "Refuse sign-in until the user's email address is verified."},
		set:      setBool(func(c *Config) *bool { return &c.Auth.RequireEmailVerification }),
	},
	{
		Variable: Variable{Name: "AUTH_RATE_LIMIT", Default: "true", Description: "Limit sign-in, sign-up, password reset and verification email attempts per client address and per email address (429 with Retry-After). Turn off only for tests and load runs."},
		set:      setBool(func(c *Config) *bool { return &c.Auth.RateLimit }),
	},
	{
		Variable: Variable{Name: "AUTH_COOKIE_PREFIX", Default: "groundwork", Description: "Prefix of the session cookies' names (<prefix>.session_token); better-auth keeps a Better Auth deployment's cookie."},
		set:      setCookiePrefix,
	},
	{
		Variable: Variable{Name: "IMPERSONATION_MAX", Default: "1h", Description: "How long a platform admin's impersonation of a user lasts before it ends by itself, never extended: 1m to 24h (Go duration)."},
		set:      setDurationBetween(time.Minute, 24*time.Hour, func(c *Config) *time.Duration { return &c.Auth.ImpersonationMax }),
	},

	// Email
	{
		Variable: Variable{Name: "EMAIL_PROVIDER", Default: EmailLog, Description: "How email is sent: log, file, smtp, resend, ses or none."},
		set:      setOneOf([]string{EmailLog, EmailFile, EmailSMTP, EmailResend, EmailSES, EmailNone}, func(c *Config) *string { return &c.Email.Provider }),
	},
	{
		Variable: Variable{Name: "EMAIL_FROM", Default: "Groundwork <no-reply@localhost>", Description: "Sender address of outgoing email, such as \"Acme <no-reply@acme.com>\"."},
		set:      setEmailFrom,
	},
	{
		Variable: Variable{Name: "PRODUCT_NAME", Default: "Groundwork", Description: "Product name shown in emails."},
		set:      setText(func(c *Config) *string { return &c.Email.ProductName }),
	},
	{
		Variable: Variable{Name: "BRAND_COLOR", Default: "#4f46e5", Description: "Accent color of emails, #rgb or #rrggbb."},
		set:      setBrandColor,
	},
	{
		Variable:     Variable{Name: "RESEND_API_KEY", Description: "Resend API key; required when EMAIL_PROVIDER=resend.", Secret: true},
		set:          setToken(func(c *Config) *string { return &c.Email.ResendAPIKey }),
		requiredWhen: when("EMAIL_PROVIDER", func(c *Config) string { return c.Email.Provider }, EmailResend),
	},
	{
		Variable: Variable{Name: "RESEND_BASE_URL", Description: "Overrides Resend's API URL, for tests and proxies."},
		set:      setOptionalURL(func(c *Config) *string { return &c.Email.ResendBaseURL }),
	},
	{
		Variable:     Variable{Name: "SMTP_HOST", Description: "SMTP server host name; required when EMAIL_PROVIDER=smtp."},
		set:          setSMTPHost,
		requiredWhen: when("EMAIL_PROVIDER", func(c *Config) string { return c.Email.Provider }, EmailSMTP),
	},
	{
		Variable: Variable{Name: "SMTP_PORT", Default: "587", Description: "SMTP server port (1–65535)."},
		set:      setInt(1, 65535, func(c *Config) *int { return &c.Email.SMTP.Port }),
	},
	{
		Variable: Variable{Name: "SMTP_USERNAME", Description: "SMTP user name; authentication is skipped when empty."},
		set:      setText(func(c *Config) *string { return &c.Email.SMTP.Username }),
	},
	{
		Variable: Variable{Name: "SMTP_PASSWORD", Description: "SMTP password.", Secret: true},
		set:      setText(func(c *Config) *string { return &c.Email.SMTP.Password }),
	},
	{
		Variable: Variable{Name: "SMTP_TLS", Default: SMTPTLSStartTLS, Description: "SMTP transport security: starttls, implicit (TLS from the first byte, usually port 465) or none."},
		set:      setOneOf([]string{SMTPTLSStartTLS, SMTPTLSImplicit, SMTPTLSNone}, func(c *Config) *string { return &c.Email.SMTP.TLS }),
	},
	{
		Variable: Variable{Name: "AWS_REGION", Description: "AWS region for SES and S3; required when EMAIL_PROVIDER=ses or STORAGE_PROVIDER=s3."},
		set: func(c *Config, v string) error {
			if err := checkToken(v); err != nil {
				return err
			}
			c.Email.SES.Region = v
			c.Storage.S3.Region = v
			return nil
		},
		requiredWhen: func(c *Config) string {
			switch {
			case c.Email.Provider == EmailSES:
				return "EMAIL_PROVIDER=" + EmailSES
			case c.Storage.Provider == StorageS3:
				return "STORAGE_PROVIDER=" + StorageS3
			}
			return ""
		},
	},
	{
		Variable: Variable{Name: "AWS_ENDPOINT_URL_SES", Description: "Overrides the SES endpoint, for tests and local stacks."},
		set:      setOptionalURL(func(c *Config) *string { return &c.Email.SES.Endpoint }),
	},

	// Payments
	{
		Variable: Variable{Name: "PAYMENT_PROVIDER", Default: PaymentNone, Description: "Payment provider: none, stripe, mercadopago, polar, or sandbox (billing's own fake provider for development and tests: checkouts complete on a local page and nothing is charged)."},
		set:      setOneOf([]string{PaymentNone, PaymentStripe, PaymentMercadoPago, PaymentPolar, PaymentSandbox}, func(c *Config) *string { return &c.Payments.Provider }),
	},
	{
		Variable: Variable{Name: "PLANS_FILE", Description: "YAML file of the plans on sale, with their prices and the provider's IDs of them; empty uses the built-in free, pro and business plans."},
		set:      setText(func(c *Config) *string { return &c.Payments.PlansFile }),
	},
	{
		Variable: Variable{Name: "BILLING_RECONCILE_INTERVAL", Default: "6h", Description: "How often billing compares subscriptions with the payment provider's, catching a missed webhook: 1m to 168h (Go duration)."},
		set:      setDurationBetween(time.Minute, 168*time.Hour, func(c *Config) *time.Duration { return &c.Payments.ReconcileInterval }),
	},
	{
		Variable: Variable{Name: "BILLING_GRACE_DAYS", Default: "7", Description: "Days a past_due subscription keeps its plan's access after a failed payment (0 to 90)."},
		set:      setInt(0, 90, func(c *Config) *int { return &c.Payments.GraceDays }),
	},
	{
		Variable: Variable{Name: "BILLING_SANDBOX_ALLOW_HTTPS", Default: "false", Description: "Let PAYMENT_PROVIDER=sandbox run with an https SERVER_URL, which it otherwise refuses lest a production deployment give plans away."},
		set:      setSandboxAllowHTTPS,
	},
	{
		Variable: Variable{Name: "BILLING_SANDBOX_WEBHOOK_SECRET", Description: "Secret the sandbox signs its webhook deliveries with; empty lets billing derive one itself.", Secret: true},
		set:      setToken(func(c *Config) *string { return &c.Payments.Sandbox.WebhookSecret }),
	},
	{
		Variable:     Variable{Name: "STRIPE_SECRET_KEY", Description: "Stripe secret API key; required when PAYMENT_PROVIDER=stripe.", Secret: true},
		set:          setToken(func(c *Config) *string { return &c.Payments.Stripe.SecretKey }),
		requiredWhen: whenPayment(PaymentStripe),
	},
	{
		Variable:     Variable{Name: "STRIPE_WEBHOOK_SECRET", Description: "Stripe webhook signing secret (whsec_…), or two separated by a comma while rotating (the new one first, the old one while deliveries signed with it drain); required when PAYMENT_PROVIDER=stripe.", Secret: true},
		set:          setWebhookSecrets(func(c *Config) *string { return &c.Payments.Stripe.WebhookSecret }),
		requiredWhen: whenPayment(PaymentStripe),
	},
	{
		Variable: Variable{Name: "STRIPE_API_BASE", Description: "Overrides Stripe's API URL, for stripe-mock and proxies."},
		set:      setOptionalURL(func(c *Config) *string { return &c.Payments.Stripe.APIBase }),
	},
	{
		Variable:     Variable{Name: "MERCADOPAGO_ACCESS_TOKEN", Description: "Mercado Pago access token; required when PAYMENT_PROVIDER=mercadopago.", Secret: true},
		set:          setToken(func(c *Config) *string { return &c.Payments.MercadoPago.AccessToken }),
		requiredWhen: whenPayment(PaymentMercadoPago),
	},
	{
		Variable:     Variable{Name: "MERCADOPAGO_WEBHOOK_SECRET", Description: "Mercado Pago webhook signing secret, or two separated by a comma while rotating (the new one first, the old one while deliveries signed with it drain); required when PAYMENT_PROVIDER=mercadopago.", Secret: true},
		set:          setWebhookSecrets(func(c *Config) *string { return &c.Payments.MercadoPago.WebhookSecret }),
		requiredWhen: whenPayment(PaymentMercadoPago),
	},
	{
		Variable: Variable{Name: "MERCADOPAGO_API_BASE", Description: "Overrides Mercado Pago's API URL, for tests and proxies."},
		set:      setOptionalURL(func(c *Config) *string { return &c.Payments.MercadoPago.APIBase }),
	},
	{
		Variable:     Variable{Name: "POLAR_ACCESS_TOKEN", Description: "Polar organization access token; required when PAYMENT_PROVIDER=polar.", Secret: true},
		set:          setToken(func(c *Config) *string { return &c.Payments.Polar.AccessToken }),
		requiredWhen: whenPayment(PaymentPolar),
	},
	{
		Variable:     Variable{Name: "POLAR_WEBHOOK_SECRET", Description: "Polar webhook signing secret, or two separated by a comma while rotating (the new one first, the old one while deliveries signed with it drain); required when PAYMENT_PROVIDER=polar.", Secret: true},
		set:          setWebhookSecrets(func(c *Config) *string { return &c.Payments.Polar.WebhookSecret }),
		requiredWhen: whenPayment(PaymentPolar),
	},
	{
		Variable: Variable{Name: "POLAR_SERVER", Default: PolarProduction, Description: "Polar environment: production or sandbox."},
		set:      setOneOf([]string{PolarProduction, PolarSandbox}, func(c *Config) *string { return &c.Payments.Polar.Server }),
	},
	{
		Variable: Variable{Name: "POLAR_API_BASE", Description: "Overrides the Polar API URL chosen by POLAR_SERVER, for tests and proxies."},
		set:      setOptionalURL(func(c *Config) *string { return &c.Payments.Polar.APIBase }),
	},

	// Storage
	{
		Variable: Variable{Name: "STORAGE_PROVIDER", Default: StorageLocal, Description: "File storage: null (uploads answer 503), local (under DATA_DIR), s3 or uploadthing."},
		set:      setOneOf([]string{StorageNull, StorageLocal, StorageS3, StorageUploadThing}, func(c *Config) *string { return &c.Storage.Provider }),
	},
	{
		Variable:     Variable{Name: "S3_BUCKET", Description: "S3 bucket name; required when STORAGE_PROVIDER=s3."},
		set:          setToken(func(c *Config) *string { return &c.Storage.S3.Bucket }),
		requiredWhen: when("STORAGE_PROVIDER", func(c *Config) string { return c.Storage.Provider }, StorageS3),
	},
	{
		Variable: Variable{Name: "S3_ENDPOINT", Description: "Overrides the S3 endpoint, for MinIO, R2 and tests."},
		set:      setOptionalURL(func(c *Config) *string { return &c.Storage.S3.Endpoint }),
	},
	{
		Variable: Variable{Name: "S3_PUBLIC_URL", Description: "Base URL objects are served from, when not the bucket's own."},
		set:      setOptionalURL(func(c *Config) *string { return &c.Storage.S3.PublicURL }),
	},
	{
		Variable: Variable{Name: "S3_FORCE_PATH_STYLE", Default: "false", Description: "Address the bucket in the URL path, as most S3-compatible servers need."},
		set:      setBool(func(c *Config) *bool { return &c.Storage.S3.ForcePathStyle }),
	},
	{
		Variable:     Variable{Name: "UPLOADTHING_TOKEN", Description: "UploadThing API token; required when STORAGE_PROVIDER=uploadthing.", Secret: true},
		set:          setToken(func(c *Config) *string { return &c.Storage.UploadThing.Token }),
		requiredWhen: when("STORAGE_PROVIDER", func(c *Config) string { return c.Storage.Provider }, StorageUploadThing),
	},
	{
		Variable: Variable{Name: "UPLOADTHING_API_BASE", Description: "Overrides UploadThing's API URL, for tests and proxies."},
		set:      setOptionalURL(func(c *Config) *string { return &c.Storage.UploadThing.APIBase }),
	},
	{
		Variable: Variable{Name: "UPLOADTHING_FILE_HOST", Description: "Overrides where UploadThing serves the app's files (default https://{appId}.ufs.sh), for tests and proxies."},
		set:      setOptionalURL(func(c *Config) *string { return &c.Storage.UploadThing.FileHost }),
	},
	{
		Variable: Variable{Name: "UPLOAD_MAX_BYTES", Default: "5242880", Description: "Largest avatar or logo accepted, in bytes (1024 to 104857600)."},
		set:      setInt(1<<10, 100<<20, func(c *Config) *int { return &c.Storage.MaxUploadBytes }),
	},

	// Usage
	{
		Variable: Variable{Name: "USAGE_METERING_ENABLED", Default: "false", Description: "Enforce usage quotas."},
		set:      setBool(func(c *Config) *bool { return &c.Usage.Enabled }),
	},

	// Audit
	{
		Variable: Variable{Name: "AUDIT_RETENTION_DAYS", Default: "0", Description: "Days audit entries are kept; 0 keeps them forever."},
		set:      setRetentionDays,
	},
}

func when(name string, get func(c *Config) string, value string) func(c *Config) string {
	return func(c *Config) string {
		if get(c) == value {
			return name + "=" + value
		}
		return ""
	}
}

func whenPayment(provider string) func(c *Config) string {
	return when("PAYMENT_PROVIDER", func(c *Config) string { return c.Payments.Provider }, provider)
}

func setString(field func(c *Config) *string) func(c *Config, v string) error {
	return func(c *Config, v string) error {
		*field(c) = v
		return nil
	}
}

func setText(field func(c *Config) *string) func(c *Config, v string) error {
	return setWith(parseText, field)
}

// setToken accepts a credential or a name: one word, since a space or line
// break in one is a copy-and-paste mistake that would otherwise surface as a puzzling
// authentication failure.
func setToken(field func(c *Config) *string) func(c *Config, v string) error {
	return func(c *Config, v string) error {
		if err := checkToken(v); err != nil {
			return err
		}
		*field(c) = v
		return nil
	}
}

func checkToken(v string) error {
	if strings.ContainsFunc(v, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
		return errors.New("must not contain spaces or control characters")
	}
	return nil
}

func setInt(lo, hi int, field func(c *Config) *int) func(c *Config, v string) error {
	return setWith(parseInt(lo, hi), field)
}

func setBool(field func(c *Config) *bool) func(c *Config, v string) error {
	return setWith(parseBool, field)
}

// setWith stores what parse makes of the value in field.
func setWith[T any](parse func(string) (T, error), field func(c *Config) *T) func(c *Config, v string) error {
	return func(c *Config, v string) error {
		x, err := parse(v)
		if err != nil {
			return err
		}
		*field(c) = x
		return nil
	}
}

func setOneOf(allowed []string, field func(c *Config) *string) func(c *Config, v string) error {
	return func(c *Config, v string) error {
		v = strings.ToLower(v)
		if !slices.Contains(allowed, v) {
			return errors.New("must be one of " + strings.Join(allowed, ", "))
		}
		*field(c) = v
		return nil
	}
}

func setServerURL(c *Config, v string) error {
	if v == "" { // PORT is read first
		v = "http://localhost:" + strconv.Itoa(c.Server.Port)
	}
	u, err := url.Parse(v)
	if err != nil || !isHTTP(u) || u.User != nil || u.RawQuery != "" || u.ForceQuery || strings.Contains(v, "#") {
		return errors.New("must be an absolute http or https URL with a host and no query or fragment, such as https://app.example.com")
	}
	u.Host = strings.ToLower(u.Host)
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = strings.TrimRight(u.RawPath, "/")
	c.Server.URL = u
	return nil
}

func setWebOrigins(c *Config, v string) error {
	var origins []string
	for item := range strings.SplitSeq(v, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		origin, ok := normalizeOrigin(item)
		if !ok {
			return fmt.Errorf("%q is not an origin: each item must be http(s)://host[:port] with no path, query or fragment", item)
		}
		if !slices.Contains(origins, origin) {
			origins = append(origins, origin)
		}
	}
	c.Server.WebOrigins = origins
	return nil
}

// normalizeOrigin returns s in the form browsers send in the Origin header:
// lower-case scheme and host, and the port only when it is not the scheme's
// default. A lone trailing slash is tolerated.
func normalizeOrigin(s string) (string, bool) {
	u, err := url.Parse(s)
	if err != nil || !isHTTP(u) || u.User != nil || (u.Path != "" && u.Path != "/") ||
		u.RawQuery != "" || u.ForceQuery || strings.Contains(s, "#") {
		return "", false
	}
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		port = ""
	}
	if port != "" || strings.Contains(host, ":") {
		// JoinHostPort brackets an IPv6 literal; drop the empty port after.
		host = strings.TrimSuffix(net.JoinHostPort(host, port), ":")
	}
	return u.Scheme + "://" + host, true
}

func isHTTP(u *url.URL) bool {
	return (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.Hostname() != ""
}

func setOptionalURL(field func(c *Config) *string) func(c *Config, v string) error {
	return func(c *Config, v string) error {
		if v == "" {
			return nil
		}
		u, err := url.Parse(v)
		if err != nil || !isHTTP(u) {
			return errors.New("must be an absolute http or https URL with a host")
		}
		*field(c) = v
		return nil
	}
}

var cookiePrefix = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

func setCookiePrefix(c *Config, v string) error {
	if !cookiePrefix.MatchString(v) {
		return errors.New("must be 1 to 64 of A-Z a-z 0-9 . _ -")
	}
	c.Auth.CookiePrefix = v
	return nil
}

// setJobRescueAfter runs after setJobTimeout (specs' order).
func setJobRescueAfter(c *Config, v string) error {
	d, err := time.ParseDuration(v)
	if err != nil || d <= c.Jobs.Timeout {
		return fmt.Errorf("must be a Go duration longer than JOB_TIMEOUT (%s)", c.Jobs.Timeout)
	}
	c.Jobs.RescueAfter = d
	return nil
}

func setDurationBetween(lo, hi time.Duration, field func(c *Config) *time.Duration) func(c *Config, v string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < lo || d > hi {
			return fmt.Errorf("must be a Go duration from %s to %s", shortDuration(lo), shortDuration(hi))
		}
		*field(c) = d
		return nil
	}
}

// shortDuration writes d as people do: 24h, not 24h0m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// setWebhookSecrets accepts one webhook secret, or two separated by a
// comma during a rotation, and stores them as "new,old" without the white
// space around each.
func setWebhookSecrets(field func(c *Config) *string) func(c *Config, v string) error {
	return func(c *Config, v string) error {
		if v == "" {
			*field(c) = ""
			return nil
		}
		const allowed = "must be one secret, or two separated by a comma while rotating (the new one first)"
		items := strings.Split(v, ",")
		for i, item := range items {
			item = strings.TrimSpace(item)
			if item == "" {
				return fmt.Errorf("%s; secret %d is empty", allowed, i+1)
			}
			if err := checkToken(item); err != nil {
				return err
			}
			items[i] = item
		}
		if len(items) > 2 {
			return fmt.Errorf("%s; %d given", allowed, len(items))
		}
		*field(c) = strings.Join(items, ",")
		return nil
	}
}

// setSandboxAllowHTTPS runs after SERVER_URL and PAYMENT_PROVIDER (specs'
// order): the sandbox hands out any plan without payment, so an https
// server, which looks like production, must opt in.
func setSandboxAllowHTTPS(c *Config, v string) error {
	allow, err := parseBool(v)
	if err != nil {
		return err
	}
	if !allow && c.Payments.Provider == PaymentSandbox && c.Server.Secure() {
		return errors.New("must be true to run PAYMENT_PROVIDER=sandbox with an https SERVER_URL: the sandbox charges nothing, so a deployment that looks like production must opt in")
	}
	c.Payments.Sandbox.AllowHTTPS = allow
	return nil
}

func setDatabaseURL(c *Config, v string) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || u.Host == "" || u.Opaque != "" {
		return errors.New("must be empty for SQLite or a postgres:// or postgresql:// URL with a host")
	}
	c.Database.URL = v
	return nil
}

func setLogLevel(c *Config, v string) error {
	levels := map[string]slog.Level{"debug": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError}
	level, ok := levels[strings.ToLower(v)]
	if !ok {
		return errors.New("must be one of debug, info, warn, error")
	}
	c.Log.Level = level
	return nil
}

func setEmailFrom(c *Config, v string) error {
	if _, err := mail.ParseAddress(v); err != nil || strings.ContainsFunc(v, unicode.IsControl) {
		return errors.New(`must be an email address such as "Acme <no-reply@acme.com>" or no-reply@acme.com`)
	}
	c.Email.From = v
	return nil
}

func setBrandColor(c *Config, v string) error {
	hex := strings.TrimPrefix(v, "#")
	valid := len(v) == len(hex)+1 && (len(hex) == 3 || len(hex) == 6) &&
		!strings.ContainsFunc(hex, func(r rune) bool { return !strings.ContainsRune("0123456789abcdefABCDEF", r) })
	if !valid {
		return errors.New("must be a hex color, #rgb or #rrggbb")
	}
	c.Email.BrandColor = strings.ToLower(v)
	return nil
}

func setSMTPHost(c *Config, v string) error {
	if err := checkToken(v); err != nil {
		return errors.New("must be a host name without spaces")
	}
	if _, _, err := net.SplitHostPort(v); err == nil {
		return errors.New("must be a host name without a port; set SMTP_PORT for the port")
	}
	c.Email.SMTP.Host = v
	return nil
}

func setRetentionDays(c *Config, v string) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return errors.New("must be a whole number of days, 0 or more (0 keeps entries forever)")
	}
	c.Audit.RetentionDays = n
	return nil
}
