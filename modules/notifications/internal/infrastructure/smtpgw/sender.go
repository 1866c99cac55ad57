package smtpgw

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"strconv"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/notifications/internal/application"
	"github.com/groundworkhq/groundwork/modules/notifications/internal/infrastructure/sendfail"
)

// Provider names this adapter in application.SendError.
const Provider = "smtp"

// The values of Options.TLS.
const (
	// TLSStartTLS connects in plaintext and upgrades with STARTTLS; a server
	// that does not offer it is refused.
	TLSStartTLS = "starttls"
	// TLSImplicit speaks TLS from the first byte (SMTPS, usually port 465).
	TLSImplicit = "implicit"
	// TLSNone never encrypts; only for local relays and tests.
	TLSNone = "none"
)

// Defaults applied by New.
const (
	DefaultPort         = 587
	DefaultImplicitPort = 465
	DefaultTimeout      = 15 * time.Second
	DefaultLocalName    = "localhost"
)

// Options configures a Sender. The fields mirror config.SMTP.
type Options struct {
	// Host is the server's host name; required. It is also the name the
	// server's certificate must match unless TLSConfig.ServerName says
	// otherwise.
	Host string
	// Port is the server's port (default 587, or 465 for TLSImplicit).
	Port int
	// Username turns on AUTH PLAIN when set.
	Username string
	// Password goes with Username.
	Password string
	// TLS is TLSStartTLS (default), TLSImplicit or TLSNone.
	TLS string
	// TLSConfig is cloned for the TLS handshake (optional; tests use it for
	// custom RootCAs). ServerName defaults to Host, MinVersion to TLS 1.2.
	TLSConfig *tls.Config
	// Timeout bounds one whole delivery, dial to QUIT (default 15s); a
	// shorter context deadline wins.
	Timeout time.Duration
	// LocalName is the name sent with EHLO (default "localhost").
	LocalName string
}

// Sender delivers email over SMTP, one connection per email. It is safe for
// concurrent use.
type Sender struct {
	opts  Options
	addr  string
	clock kernel.Clock
}

var _ application.EmailSender = (*Sender)(nil)

// New validates opts and returns a Sender. It does no I/O. It returns an
// error for a missing host, a port out of range, an unknown TLS mode, or
// credentials that would cross an unencrypted connection to a non-local
// host.
func New(opts Options) (*Sender, error) {
	if opts.Host == "" {
		return nil, errors.New("smtp: host is required")
	}
	if opts.TLS == "" {
		opts.TLS = TLSStartTLS
	}
	switch opts.TLS {
	case TLSStartTLS, TLSImplicit, TLSNone:
	default:
		return nil, fmt.Errorf("smtp: tls mode %q is not one of starttls, implicit, none", opts.TLS)
	}
	if opts.Port == 0 {
		opts.Port = DefaultPort
		if opts.TLS == TLSImplicit {
			opts.Port = DefaultImplicitPort
		}
	}
	if opts.Port < 1 || opts.Port > 65535 {
		return nil, fmt.Errorf("smtp: port %d is out of range 1-65535", opts.Port)
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.LocalName == "" {
		opts.LocalName = DefaultLocalName
	}
	if opts.Username != "" && opts.TLS == TLSNone && !isLocalhost(opts.Host) {
		// net/smtp's PlainAuth would refuse at send time anyway; saying so at
		// start-up points at the configuration instead of failing every email.
		return nil, errors.New("smtp: refusing to send credentials without TLS to a non-local host")
	}
	return &Sender{
		opts:  opts,
		addr:  net.JoinHostPort(opts.Host, strconv.Itoa(opts.Port)),
		clock: kernel.SystemClock{},
	}, nil
}

// errNoStartTLS is returned (transient) when STARTTLS is required but the
// server does not offer it.
var errNoStartTLS = errors.New("server does not offer STARTTLS; refusing to continue without TLS")

// errNoAuth is returned (transient) when credentials are configured but the
// server does not offer AUTH.
var errNoAuth = errors.New("server does not offer AUTH")

// Send delivers e. A message that cannot be built (an unparsable address)
// and any 5xx reply are permanent; a 4xx reply, a missing STARTTLS or AUTH
// extension, a timeout, a cancelled context and connection failures are
// transient. Error texts carry the SMTP step and the recipient's index,
// never an address or the password.
func (s *Sender) Send(ctx context.Context, e application.Email) error {
	from, err := mail.ParseAddress(e.From)
	if err != nil {
		return application.Permanent(Provider, 0, fmt.Errorf("parse from address: %w", err))
	}
	rcpts := make([]string, 0, len(e.To))
	for i, raw := range e.To {
		addr, err := mail.ParseAddress(raw)
		if err != nil {
			return application.Permanent(Provider, 0, fmt.Errorf("parse recipient %d: %w", i, err))
		}
		rcpts = append(rcpts, addr.Address)
	}
	msg, err := BuildMessage(e, s.clock.Now(), "")
	if err != nil {
		return application.Permanent(Provider, 0, fmt.Errorf("build message: %w", err))
	}
	d := &delivery{redact: rcpts}
	return d.run(ctx, s, from.Address, rcpts, msg)
}

// delivery is one SMTP session; it turns every failure into a SendError.
type delivery struct {
	redact []string
}

func (d *delivery) run(ctx context.Context, s *Sender, from string, rcpts []string, msg []byte) error {
	deadline := s.clock.Now().Add(s.opts.Timeout)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	dialCtx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()

	conn, err := s.dial(dialCtx)
	if err != nil {
		return d.fail(ctx, "connect", err)
	}
	defer conn.Close()
	// net/smtp has no deadlines of its own: bound the whole dialogue on the
	// connection, and cut it short when the context ends.
	if err := conn.SetDeadline(deadline); err != nil {
		return d.fail(ctx, "connect", err)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	c, err := smtp.NewClient(conn, s.opts.Host)
	if err != nil {
		return d.fail(ctx, "greeting", err)
	}
	defer c.Close()
	if err := c.Hello(s.opts.LocalName); err != nil {
		return d.fail(ctx, "ehlo", err)
	}
	if s.opts.TLS == TLSStartTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return application.Transient(Provider, 0, 0, fmt.Errorf("starttls: %w", errNoStartTLS))
		}
		if err := c.StartTLS(s.tlsConfig()); err != nil {
			return d.fail(ctx, "starttls", err)
		}
	}
	if s.opts.Username != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			return application.Transient(Provider, 0, 0, fmt.Errorf("auth: %w", errNoAuth))
		}
		if err := c.Auth(smtp.PlainAuth("", s.opts.Username, s.opts.Password, s.opts.Host)); err != nil {
			return d.fail(ctx, "auth", err)
		}
	}
	if err := c.Mail(from); err != nil {
		return d.fail(ctx, "mail from", err)
	}
	for i, rcpt := range rcpts {
		if err := c.Rcpt(rcpt); err != nil {
			return d.fail(ctx, fmt.Sprintf("rcpt %d", i), err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return d.fail(ctx, "data", err)
	}
	if _, err := w.Write(msg); err != nil {
		return d.fail(ctx, "data", err)
	}
	if err := w.Close(); err != nil {
		return d.fail(ctx, "end of data", err)
	}
	// The server has accepted the message; a failed QUIT changes nothing.
	_ = c.Quit()
	return nil
}

func (s *Sender) dial(ctx context.Context) (net.Conn, error) {
	if s.opts.TLS == TLSImplicit {
		d := &tls.Dialer{Config: s.tlsConfig()}
		return d.DialContext(ctx, "tcp", s.addr)
	}
	var d net.Dialer
	return d.DialContext(ctx, "tcp", s.addr)
}

func (s *Sender) tlsConfig() *tls.Config {
	var cfg *tls.Config
	if s.opts.TLSConfig != nil {
		cfg = s.opts.TLSConfig.Clone()
	} else {
		cfg = &tls.Config{}
	}
	if cfg.ServerName == "" {
		cfg.ServerName = s.opts.Host
	}
	if cfg.MinVersion == 0 {
		cfg.MinVersion = tls.VersionTLS12
	}
	return cfg
}

// fail classifies err from the named step: a 5xx reply is permanent, a 4xx
// reply and everything else (I/O, TLS, timeouts, context) transient.
func (d *delivery) fail(ctx context.Context, step string, err error) error {
	var reply *textproto.Error
	if errors.As(err, &reply) {
		wrapped := &replyError{step: step, code: reply.Code, msg: sendfail.Scrub(reply.Msg, d.redact)}
		if reply.Code >= 500 && reply.Code < 600 {
			return application.Permanent(Provider, reply.Code, wrapped)
		}
		return application.Transient(Provider, reply.Code, 0, wrapped)
	}
	return sendfail.Unanswered(ctx, Provider, step, 0, 0, err)
}

// replyError is an SMTP error reply at one step of the dialogue.
type replyError struct {
	step string
	code int
	msg  string
}

func (e *replyError) Error() string {
	return fmt.Sprintf("%s: server replied %d %s", e.step, e.code, e.msg)
}

func isLocalhost(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}
