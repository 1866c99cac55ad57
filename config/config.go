package config

import (
	"log/slog"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is the whole configuration. Build it with Load (or Default in
// tests); a Config returned without error has passed every check, including
// the credentials the chosen providers need. Treat it as read-only: Server.URL
// is a pointer shared by every copy.
type Config struct {
	Server   Server
	Database Database
	Jobs     Jobs
	Log      Log
	Auth     Auth
	Email    Email
	Payments Payments
	Storage  Storage
	Usage    Usage
	Audit    Audit
}

// Server configures the HTTP listener and the public face of the server.
type Server struct {
	// Port is the TCP port to listen on (PORT, default 8080, 1–65535).
	Port int
	// URL is the public URL of the server, used in email links and local
	// upload URLs (SERVER_URL, default http://localhost:$PORT). It is an
	// absolute http or https URL with a host, no query or fragment, and no
	// trailing slash.
	URL *url.URL
	// WebOrigins are the front-end origins trusted for CORS with credentials
	// (WEB_ORIGINS, comma-separated, default none), normalized to
	// scheme://host[:port] in lower case without a default port.
	WebOrigins []string
	// ShutdownTimeout bounds the graceful drain of requests and jobs
	// (SHUTDOWN_TIMEOUT, a Go duration, default 30s, must be positive).
	ShutdownTimeout time.Duration
}

// Secure reports whether the public URL is https, in which case cookies are
// marked Secure.
func (s Server) Secure() bool { return s.URL != nil && s.URL.Scheme == "https" }

// Addr is the listen address for net/http: ":" and the port.
func (s Server) Addr() string { return net.JoinHostPort("", strconv.Itoa(s.Port)) }

// Database selects and configures the database.
type Database struct {
	// URL is a postgres:// or postgresql:// URL, or empty for SQLite under
	// DataDir (DATABASE_URL, default empty).
	URL string
	// DataDir holds the SQLite file, local uploads and the file mailbox
	// (DATA_DIR, default ./data).
	DataDir string
	// AutoMigrate applies pending migrations when the server starts
	// (AUTO_MIGRATE, default true).
	AutoMigrate bool
}

// IsPostgres reports whether the database is PostgreSQL rather than SQLite.
func (d Database) IsPostgres() bool { return d.URL != "" }

// SQLitePath is the SQLite database file: groundwork.db under DataDir.
func (d Database) SQLitePath() string { return filepath.Join(d.DataDir, "groundwork.db") }

// Log configures the process logger.
type Log struct {
	// Level is the minimum level logged (LOG_LEVEL: debug, info, warn or
	// error; default info).
	Level slog.Level
	// Format is LogFormatText or LogFormatJSON (LOG_FORMAT, default text).
	Format string
}

// The values of Log.Format.
const (
	LogFormatText = "text"
	LogFormatJSON = "json"
)

// Auth configures sign-up and sign-in policy.
type Auth struct {
	// RequireEmailVerification refuses sign-in until the email address is
	// verified (REQUIRE_EMAIL_VERIFICATION, default false).
	RequireEmailVerification bool
	// RateLimit limits sign-in, sign-up, reset and verification attempts
	// (AUTH_RATE_LIMIT, default true).
	RateLimit bool
	// CookiePrefix prefixes the session cookies' names (AUTH_COOKIE_PREFIX,
	// default groundwork: groundwork.session_token); better-auth keeps a
	// Better Auth deployment's. 1–64 of A-Z a-z 0-9 . _ -.
	CookiePrefix string
	// ImpersonationMax is how long a platform admin's impersonation
	// session lasts (IMPERSONATION_MAX, default 1h, 1m to 24h).
	ImpersonationMax time.Duration
}

// Email configures outgoing mail.
type Email struct {
	// Provider is one of the Email* provider constants (EMAIL_PROVIDER,
	// default log).
	Provider string
	// From is the sender address, in any form net/mail.ParseAddress accepts
	// (EMAIL_FROM, default "Groundwork <no-reply@localhost>").
	From string
	// ProductName is the product named in email templates (PRODUCT_NAME,
	// default Groundwork).
	ProductName string
	// BrandColor is the accent color of email templates, #rgb or #rrggbb in
	// lower case (BRAND_COLOR, default #4f46e5).
	BrandColor string
	// ResendAPIKey is the Resend API key (RESEND_API_KEY, secret; required
	// when Provider is EmailResend).
	ResendAPIKey string
	// ResendBaseURL overrides Resend's API URL, for tests and proxies
	// (RESEND_BASE_URL, optional absolute http(s) URL).
	ResendBaseURL string
	// SMTP configures the smtp provider.
	SMTP SMTP
	// SES configures the ses provider.
	SES SES
}

// The values of Email.Provider.
const (
	EmailLog    = "log"
	EmailFile   = "file"
	EmailSMTP   = "smtp"
	EmailResend = "resend"
	EmailSES    = "ses"
	EmailNone   = "none"
)

// SMTP configures delivery through an SMTP server.
type SMTP struct {
	// Host is the server's host name (SMTP_HOST; required when the email
	// provider is smtp).
	Host string
	// Port is the server's port (SMTP_PORT, default 587, 1–65535).
	Port int
	// Username authenticates to the server when set (SMTP_USERNAME).
	Username string
	// Password goes with Username (SMTP_PASSWORD, secret).
	Password string
	// TLS is one of the SMTPTLS* constants (SMTP_TLS, default starttls).
	TLS string
}

// The values of SMTP.TLS.
const (
	SMTPTLSStartTLS = "starttls"
	SMTPTLSImplicit = "implicit"
	SMTPTLSNone     = "none"
)

// SES configures delivery through Amazon SES. Credentials come from the AWS
// SDK's own chain (AWS_ACCESS_KEY_ID, profiles, roles), not from Config.
type SES struct {
	// Region is the AWS region (AWS_REGION; required when the email provider
	// is ses). It is the same variable as Storage.S3.Region.
	Region string
	// Endpoint overrides the SES endpoint, for tests and local stacks
	// (AWS_ENDPOINT_URL_SES, optional absolute http(s) URL).
	Endpoint string
}

// Payments selects and configures the payment provider and the billing
// built on it.
type Payments struct {
	// Provider is one of the Payment* constants (PAYMENT_PROVIDER, default
	// none).
	Provider string
	// PlansFile is the YAML file of the plans on sale, read by billing
	// (PLANS_FILE, default empty: the built-in free, pro and business).
	PlansFile string
	// ReconcileInterval is how often billing compares the live
	// subscriptions with the provider's, catching a missed webhook
	// (BILLING_RECONCILE_INTERVAL, a Go duration, default 6h, 1m to 168h).
	ReconcileInterval time.Duration
	// GraceDays is how many days a past_due subscription keeps its plan's
	// access; 0 ends it as soon as a payment fails (BILLING_GRACE_DAYS,
	// default 7, 0 to 90).
	GraceDays int
	// Stripe configures the stripe provider.
	Stripe Stripe
	// MercadoPago configures the mercadopago provider.
	MercadoPago MercadoPago
	// Polar configures the polar provider.
	Polar Polar
	// Sandbox configures the sandbox provider.
	Sandbox Sandbox
}

// The values of Payments.Provider.
const (
	PaymentNone        = "none"
	PaymentStripe      = "stripe"
	PaymentMercadoPago = "mercadopago"
	PaymentPolar       = "polar"
	// PaymentSandbox is billing's own fake provider, for development and
	// tests: checkouts complete on a local page and nothing is charged.
	PaymentSandbox = "sandbox"
)

// Stripe holds Stripe's credentials.
type Stripe struct {
	// SecretKey is the API key (STRIPE_SECRET_KEY, secret; required when the
	// provider is stripe).
	SecretKey string
	// WebhookSecret verifies webhook signatures (STRIPE_WEBHOOK_SECRET,
	// secret; required when the provider is stripe). During a rotation it
	// holds two secrets, "new,old": read it through WebhookSecrets.
	WebhookSecret string
	// APIBase overrides Stripe's API URL, for stripe-mock and proxies
	// (STRIPE_API_BASE, optional absolute http(s) URL).
	APIBase string
}

// WebhookSecrets returns the secrets a delivery may be signed with: the
// new one first, then the old one while a rotation drains; none when
// WebhookSecret is empty.
func (s Stripe) WebhookSecrets() []string { return splitSecrets(s.WebhookSecret) }

// MercadoPago holds Mercado Pago's credentials.
type MercadoPago struct {
	// AccessToken is the API token (MERCADOPAGO_ACCESS_TOKEN, secret;
	// required when the provider is mercadopago).
	AccessToken string
	// WebhookSecret verifies webhook signatures (MERCADOPAGO_WEBHOOK_SECRET,
	// secret; required when the provider is mercadopago). During a rotation
	// it holds two secrets, "new,old": read it through WebhookSecrets.
	WebhookSecret string
	// APIBase overrides Mercado Pago's API URL, for tests and proxies
	// (MERCADOPAGO_API_BASE, optional absolute http(s) URL).
	APIBase string
}

// WebhookSecrets returns the secrets a delivery may be signed with: the
// new one first, then the old one while a rotation drains; none when
// WebhookSecret is empty.
func (m MercadoPago) WebhookSecrets() []string { return splitSecrets(m.WebhookSecret) }

// Polar holds Polar's credentials.
type Polar struct {
	// AccessToken is the API token (POLAR_ACCESS_TOKEN, secret; required
	// when the provider is polar).
	AccessToken string
	// WebhookSecret verifies webhook signatures (POLAR_WEBHOOK_SECRET,
	// secret; required when the provider is polar). During a rotation it
	// holds two secrets, "new,old": read it through WebhookSecrets.
	WebhookSecret string
	// Server is PolarProduction or PolarSandbox (POLAR_SERVER, default
	// production).
	Server string
	// APIBase overrides the API URL chosen by Server, for tests and proxies
	// (POLAR_API_BASE, optional absolute http(s) URL).
	APIBase string
}

// WebhookSecrets returns the secrets a delivery may be signed with: the
// new one first, then the old one while a rotation drains; none when
// WebhookSecret is empty.
func (p Polar) WebhookSecrets() []string { return splitSecrets(p.WebhookSecret) }

// splitSecrets splits a comma-separated list of secrets, dropping blanks
// (Load has already refused them; a hand-built Config may hold some).
func splitSecrets(v string) []string {
	var out []string
	for item := range strings.SplitSeq(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// Sandbox configures billing's sandbox provider.
type Sandbox struct {
	// AllowHTTPS lets the sandbox run behind an https SERVER_URL, where it
	// otherwise refuses to start lest a production deployment hand out
	// plans for free (BILLING_SANDBOX_ALLOW_HTTPS, default false).
	AllowHTTPS bool
	// WebhookSecret signs the sandbox's webhook deliveries
	// (BILLING_SANDBOX_WEBHOOK_SECRET, secret; default empty: billing
	// derives one itself). Set it when something outside the process, such
	// as an end-to-end test, must sign deliveries too.
	WebhookSecret string
}

// The values of Polar.Server.
const (
	PolarProduction = "production"
	PolarSandbox    = "sandbox"
)

// Storage selects and configures file storage.
type Storage struct {
	// Provider is one of the Storage* constants (STORAGE_PROVIDER, default
	// local).
	Provider string
	// S3 configures the s3 provider.
	S3 S3
	// UploadThing configures the uploadthing provider.
	UploadThing UploadThing
	// MaxUploadBytes is the largest avatar or logo accepted
	// (UPLOAD_MAX_BYTES, default 5 MiB, 1 KiB to 100 MiB).
	MaxUploadBytes int
}

// The values of Storage.Provider.
const (
	StorageNull        = "null"
	StorageLocal       = "local"
	StorageS3          = "s3"
	StorageUploadThing = "uploadthing"
)

// S3 configures an S3-compatible bucket. Credentials come from the AWS SDK's
// own chain, not from Config.
type S3 struct {
	// Bucket is the bucket name (S3_BUCKET; required when the provider is s3).
	Bucket string
	// Region is the AWS region (AWS_REGION; required when the provider is
	// s3). It is the same variable as Email.SES.Region.
	Region string
	// Endpoint overrides the S3 endpoint, for MinIO, R2 and tests
	// (S3_ENDPOINT, optional absolute http(s) URL).
	Endpoint string
	// PublicURL is the base URL objects are served from, when it differs
	// from the bucket's own (S3_PUBLIC_URL, optional absolute http(s) URL).
	PublicURL string
	// ForcePathStyle addresses the bucket in the path rather than the host
	// name, as most S3-compatible servers need (S3_FORCE_PATH_STYLE, default
	// false).
	ForcePathStyle bool
}

// UploadThing holds UploadThing's credentials.
type UploadThing struct {
	// Token is the API token (UPLOADTHING_TOKEN, secret; required when the
	// provider is uploadthing).
	Token string
	// APIBase overrides UploadThing's API URL, for tests and proxies
	// (UPLOADTHING_API_BASE, optional absolute http(s) URL).
	APIBase string
	// FileHost overrides where UploadThing serves the app's files
	// (UPLOADTHING_FILE_HOST, optional absolute http(s) URL; default
	// https://{appId}.ufs.sh).
	FileHost string
}

// Usage configures usage metering.
type Usage struct {
	// Enabled turns quota enforcement on (USAGE_METERING_ENABLED, default
	// false).
	Enabled bool
}

// Jobs configures the background job queue.
type Jobs struct {
	// Timeout is how long one attempt of a job may run (JOB_TIMEOUT, a Go
	// duration, default 1m, must be positive).
	Timeout time.Duration
	// RescueAfter is how long a job may stay running before it is taken
	// for a leftover of a process that died and is run again
	// (JOB_RESCUE_AFTER, default 3m, must be longer than JOB_TIMEOUT).
	RescueAfter time.Duration
}

// Audit configures the audit log.
type Audit struct {
	// RetentionDays is how long audit entries are kept; 0 keeps them forever
	// (AUDIT_RETENTION_DAYS, default 0, must be 0 or more).
	RetentionDays int
}
