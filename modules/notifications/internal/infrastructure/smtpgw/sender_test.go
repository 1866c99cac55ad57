package smtpgw_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"

	"github.com/groundworkhq/groundwork/modules/notifications/internal/application"
	"github.com/groundworkhq/groundwork/modules/notifications/internal/infrastructure/smtpgw"
)

// serverConfig describes the in-process SMTP peer.
type serverConfig struct {
	// tls: "none" (no STARTTLS offered), "starttls" or "implicit".
	tls string
	// users enables AUTH PLAIN with these username → password pairs and
	// requires authentication before MAIL.
	users map[string]string
	// rcptErr and dataErr are replied to RCPT and end of DATA when set.
	rcptErr error
	dataErr error
}

// received is one message the server accepted.
type received struct {
	from     string
	to       []string
	data     []byte
	tls      bool
	authUser string
}

type testServer struct {
	cfg  serverConfig
	host string
	port int
	cert *x509.Certificate

	mu       sync.Mutex
	messages []received
	mails    int // MAIL commands seen, delivered or not
}

func (s *testServer) received() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.messages...)
}

func (s *testServer) mailCommands() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mails
}

// rootCAs trusts the server's self-signed certificate.
func (s *testServer) rootCAs() *tls.Config {
	pool := x509.NewCertPool()
	pool.AddCert(s.cert)
	return &tls.Config{RootCAs: pool}
}

func startServer(t *testing.T, cfg serverConfig) *testServer {
	t.Helper()
	cert, leaf := selfSignedCert(t)
	srv := &testServer{cfg: cfg, cert: leaf}

	be := gosmtp.BackendFunc(func(c *gosmtp.Conn) (gosmtp.Session, error) {
		return &session{srv: srv, conn: c}, nil
	})
	s := gosmtp.NewServer(be)
	s.Domain = "mx.test"
	s.ErrorLog = log.New(io.Discard, "", 0)
	s.AllowInsecureAuth = false

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	tlsCfg := &tls.Config{Certificates: []tls.Certificate{cert}}
	switch cfg.tls {
	case "starttls":
		s.TLSConfig = tlsCfg
	case "implicit":
		ln = tls.NewListener(ln, tlsCfg)
	case "none":
		s.AllowInsecureAuth = true
	default:
		t.Fatalf("unknown tls mode %q", cfg.tls)
	}
	addr := ln.Addr().(*net.TCPAddr)
	srv.host, srv.port = addr.IP.String(), addr.Port

	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = s.Serve(ln)
	}()
	t.Cleanup(func() {
		_ = s.Close()
		// Close only closes listeners Serve has registered; if the test ended
		// before the goroutine got there, closing ln is what stops it.
		_ = ln.Close()
		<-done
	})
	return srv
}

type session struct {
	srv  *testServer
	conn *gosmtp.Conn
	user string
	from string
	to   []string
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, username, password string) error {
		want, ok := s.srv.cfg.users[username]
		if !ok || want != password {
			return gosmtp.ErrAuthFailed
		}
		s.user = username
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *gosmtp.MailOptions) error {
	s.srv.mu.Lock()
	s.srv.mails++
	s.srv.mu.Unlock()
	if s.srv.cfg.users != nil && s.user == "" {
		return gosmtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	if s.srv.cfg.rcptErr != nil {
		return s.srv.cfg.rcptErr
	}
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if s.srv.cfg.dataErr != nil {
		return s.srv.cfg.dataErr
	}
	_, isTLS := s.conn.TLSConnectionState()
	s.srv.mu.Lock()
	defer s.srv.mu.Unlock()
	s.srv.messages = append(s.srv.messages, received{
		from: s.from, to: s.to, data: data, tls: isTLS, authUser: s.user,
	})
	return nil
}

func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }

// selfSignedCert makes a certificate for 127.0.0.1 and localhost.
func selfSignedCert(t *testing.T) (tls.Certificate, *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("generate key: %v", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "smtp test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatalf("create certificate: %v", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("parse certificate: %v", err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, leaf
}

func newSender(t *testing.T, opts smtpgw.Options) *smtpgw.Sender {
	t.Helper()
	s, err := smtpgw.New(opts)
	if err != nil {
		t.Fatalf("smtpgw.New: %v", err)
	}
	return s
}

func sampleEmail() application.Email {
	return application.Email{
		From:    "Acme Café <no-reply@acme.test>",
		To:      []string{"ana@example.test", "bo@example.test"},
		ReplyTo: "support@acme.test",
		Subject: "Olá, bem-vindo à Acme ☕ — confirme o seu endereço de email para continuar",
		Text: "Olá Ana,\n\nConfirme o seu endereço: https://app.acme.test/verify?token=abc123&next=%2Fdashboard%2Fsettings%2Fprofile\n" +
			"Linha com = sinal e acentuação: ção, ñ, ü.\n",
		HTML:           `<p>Olá <b>Ana</b>,</p><p><a href="https://app.acme.test/verify?token=abc123">Confirmar</a> — obrigado!</p>`,
		Tags:           map[string]string{"template": "verify-email", "locale": "pt-BR"},
		IdempotencyKey: "verify-email/usr_0190",
	}
}

func TestSendPlainDelivers(t *testing.T) {
	t.Parallel()
	srv := startServer(t, serverConfig{tls: "none"})
	s := newSender(t, smtpgw.Options{Host: srv.host, Port: srv.port, TLS: smtpgw.TLSNone, LocalName: "app.test"})
	e := sampleEmail()

	if err := s.Send(t.Context(), e); err != nil {
		t.Fatalf("Send: %v", err)
	}

	got := srv.received()
	if len(got) != 1 {
		t.Fatalf("server received %d messages, want 1", len(got))
	}
	r := got[0]
	if r.from != "no-reply@acme.test" {
		t.Errorf("MAIL FROM = %q, want no-reply@acme.test", r.from)
	}
	if strings.Join(r.to, ",") != "ana@example.test,bo@example.test" {
		t.Errorf("RCPT TO = %v", r.to)
	}
	if r.tls {
		t.Errorf("TLS was used with TLS none")
	}
	msg, err := mail.ReadMessage(strings.NewReader(string(r.data)))
	if err != nil {
		t.Fatalf("parse message: %v", err)
	}
	if _, err := msg.Header.Date(); err != nil {
		t.Errorf("Date header: %v", err)
	}
	if got, want := msg.Header.Get("Message-Id"), "<verify-email/usr_0190@acme.test>"; got != want {
		t.Errorf("Message-ID = %q, want %q", got, want)
	}
	assertEmailParts(t, msg, e)
}

func TestSendStartTLSWithAuth(t *testing.T) {
	t.Parallel()
	srv := startServer(t, serverConfig{tls: "starttls", users: map[string]string{"mailer": "s3cret-pw"}})

	t.Run("delivers over TLS after AUTH PLAIN", func(t *testing.T) {
		t.Parallel()
		s := newSender(t, smtpgw.Options{
			Host: srv.host, Port: srv.port, TLS: smtpgw.TLSStartTLS, TLSConfig: srv.rootCAs(),
			Username: "mailer", Password: "s3cret-pw",
		})
		e := sampleEmail()
		e.IdempotencyKey = "starttls-ok"
		if err := s.Send(t.Context(), e); err != nil {
			t.Fatalf("Send: %v", err)
		}
		r := findByMessageID(t, srv, "<starttls-ok@acme.test>")
		if !r.tls {
			t.Errorf("message was not received over TLS")
		}
		if r.authUser != "mailer" {
			t.Errorf("authenticated user = %q, want mailer", r.authUser)
		}
	})

	t.Run("wrong password is permanent", func(t *testing.T) {
		t.Parallel()
		s := newSender(t, smtpgw.Options{
			Host: srv.host, Port: srv.port, TLS: smtpgw.TLSStartTLS, TLSConfig: srv.rootCAs(),
			Username: "mailer", Password: "wrong-pw",
		})
		err := s.Send(t.Context(), sampleEmail())
		se := requireSendError(t, err)
		if !se.Permanent || se.Status != 535 {
			t.Errorf("got permanent=%v status=%d, want permanent 535", se.Permanent, se.Status)
		}
		if strings.Contains(err.Error(), "wrong-pw") {
			t.Errorf("error leaks the password: %v", err)
		}
	})

	t.Run("untrusted certificate is transient", func(t *testing.T) {
		t.Parallel()
		s := newSender(t, smtpgw.Options{
			Host: srv.host, Port: srv.port, TLS: smtpgw.TLSStartTLS,
			TLSConfig: &tls.Config{RootCAs: x509.NewCertPool()},
			Username:  "mailer", Password: "s3cret-pw",
		})
		se := requireSendError(t, s.Send(t.Context(), sampleEmail()))
		if se.Permanent {
			t.Errorf("certificate failure classified permanent: %v", se)
		}
	})
}

func TestSendImplicitTLS(t *testing.T) {
	t.Parallel()
	srv := startServer(t, serverConfig{tls: "implicit", users: map[string]string{"mailer": "pw"}})
	s := newSender(t, smtpgw.Options{
		Host: srv.host, Port: srv.port, TLS: smtpgw.TLSImplicit, TLSConfig: srv.rootCAs(),
		Username: "mailer", Password: "pw",
	})
	if err := s.Send(t.Context(), sampleEmail()); err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := srv.received()
	if len(got) != 1 || !got[0].tls || got[0].authUser != "mailer" {
		t.Fatalf("received = %+v, want one authenticated TLS message", got)
	}
}

func TestSendClassifiesReplies(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		cfg           serverConfig
		wantPermanent bool
		wantStatus    int
	}{
		{
			name: "550 bad mailbox on RCPT",
			cfg: serverConfig{rcptErr: &gosmtp.SMTPError{
				Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "<ana@example.test>: mailbox unavailable",
			}},
			wantPermanent: true, wantStatus: 550,
		},
		{
			name: "451 on RCPT",
			cfg: serverConfig{rcptErr: &gosmtp.SMTPError{
				Code: 451, EnhancedCode: gosmtp.EnhancedCode{4, 3, 0}, Message: "greylisted <ana@example.test>, try later",
			}},
			wantStatus: 451,
		},
		{
			name: "421 on RCPT",
			cfg: serverConfig{rcptErr: &gosmtp.SMTPError{
				Code: 421, EnhancedCode: gosmtp.EnhancedCode{4, 4, 5}, Message: "too busy",
			}},
			wantStatus: 421,
		},
		{
			name: "452 at end of DATA",
			cfg: serverConfig{dataErr: &gosmtp.SMTPError{
				Code: 452, EnhancedCode: gosmtp.EnhancedCode{4, 3, 1}, Message: "insufficient storage",
			}},
			wantStatus: 452,
		},
		{
			name: "554 at end of DATA",
			cfg: serverConfig{dataErr: &gosmtp.SMTPError{
				Code: 554, EnhancedCode: gosmtp.EnhancedCode{5, 7, 1}, Message: "message refused",
			}},
			wantPermanent: true, wantStatus: 554,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.cfg.tls = "none"
			srv := startServer(t, tt.cfg)
			s := newSender(t, smtpgw.Options{Host: srv.host, Port: srv.port, TLS: smtpgw.TLSNone})

			err := s.Send(t.Context(), sampleEmail())

			se := requireSendError(t, err)
			if se.Permanent != tt.wantPermanent || se.Status != tt.wantStatus {
				t.Errorf("got permanent=%v status=%d, want permanent=%v status=%d (%v)",
					se.Permanent, se.Status, tt.wantPermanent, tt.wantStatus, err)
			}
			if se.Provider != smtpgw.Provider {
				t.Errorf("provider = %q, want %q", se.Provider, smtpgw.Provider)
			}
			if strings.Contains(err.Error(), "ana@example.test") {
				t.Errorf("error echoes the recipient: %v", err)
			}
			if n := len(srv.received()); n != 0 {
				t.Errorf("server stored %d messages, want 0", n)
			}
		})
	}
}

func TestSendRefusesWithoutStartTLS(t *testing.T) {
	t.Parallel()
	srv := startServer(t, serverConfig{tls: "none"})
	s := newSender(t, smtpgw.Options{Host: srv.host, Port: srv.port, TLS: smtpgw.TLSStartTLS})

	err := s.Send(t.Context(), sampleEmail())

	se := requireSendError(t, err)
	if se.Permanent || se.Status != 0 {
		t.Errorf("got permanent=%v status=%d, want transient with no status", se.Permanent, se.Status)
	}
	if !strings.Contains(err.Error(), "STARTTLS") {
		t.Errorf("error does not name STARTTLS: %v", err)
	}
	if n := srv.mailCommands(); n != 0 {
		t.Errorf("client issued %d MAIL commands in plaintext, want 0", n)
	}
}

func TestSendConnectionFailuresAreTransient(t *testing.T) {
	t.Parallel()

	t.Run("connection refused", func(t *testing.T) {
		t.Parallel()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("listen: %v", err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		_ = ln.Close()
		s := newSender(t, smtpgw.Options{Host: "127.0.0.1", Port: port, TLS: smtpgw.TLSNone})
		se := requireSendError(t, s.Send(t.Context(), sampleEmail()))
		if se.Permanent {
			t.Errorf("connection refused classified permanent: %v", se)
		}
	})

	t.Run("cancelled context", func(t *testing.T) {
		t.Parallel()
		srv := startServer(t, serverConfig{tls: "none"})
		s := newSender(t, smtpgw.Options{Host: srv.host, Port: srv.port, TLS: smtpgw.TLSNone})
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		err := s.Send(ctx, sampleEmail())
		se := requireSendError(t, err)
		if se.Permanent || !errors.Is(err, context.Canceled) {
			t.Errorf("got %v, want transient wrapping context.Canceled", err)
		}
	})

	t.Run("server that never greets times out", func(t *testing.T) {
		t.Parallel()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("listen: %v", err)
		}
		accepted := make(chan net.Conn, 1)
		go func() {
			c, err := ln.Accept()
			if err == nil {
				accepted <- c
			}
		}()
		t.Cleanup(func() {
			_ = ln.Close()
			select {
			case c := <-accepted:
				_ = c.Close()
			default:
			}
		})
		port := ln.Addr().(*net.TCPAddr).Port
		s := newSender(t, smtpgw.Options{Host: "127.0.0.1", Port: port, TLS: smtpgw.TLSNone, Timeout: 50 * time.Millisecond})
		err = s.Send(t.Context(), sampleEmail())
		se := requireSendError(t, err)
		var ne net.Error
		if se.Permanent || !errors.As(err, &ne) || !ne.Timeout() {
			t.Errorf("got %v, want a transient timeout", err)
		}
	})
}

func TestSendRejectsBadAddressesBeforeConnecting(t *testing.T) {
	t.Parallel()
	srv := startServer(t, serverConfig{tls: "none"})
	s := newSender(t, smtpgw.Options{Host: srv.host, Port: srv.port, TLS: smtpgw.TLSNone})
	tests := []struct {
		name  string
		email func(*application.Email)
	}{
		{"bad recipient", func(e *application.Email) { e.To = []string{"ana@example.test", "not an address"} }},
		{"bad sender", func(e *application.Email) { e.From = "nobody" }},
		{"no recipients", func(e *application.Email) { e.To = nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := sampleEmail()
			tt.email(&e)
			err := s.Send(t.Context(), e)
			se := requireSendError(t, err)
			if !se.Permanent {
				t.Errorf("got transient, want permanent: %v", err)
			}
			if strings.Contains(err.Error(), "not an address") || strings.Contains(err.Error(), "ana@example.test") {
				t.Errorf("error echoes an address: %v", err)
			}
		})
	}
	if n := srv.mailCommands(); n != 0 {
		t.Errorf("server saw %d MAIL commands, want 0", n)
	}
}

func TestNewValidatesOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		opts    smtpgw.Options
		wantErr bool
	}{
		{"defaults", smtpgw.Options{Host: "smtp.example.test"}, false},
		{"implicit", smtpgw.Options{Host: "smtp.example.test", TLS: smtpgw.TLSImplicit}, false},
		{"no host", smtpgw.Options{}, true},
		{"unknown tls", smtpgw.Options{Host: "smtp.example.test", TLS: "ssl"}, true},
		{"port out of range", smtpgw.Options{Host: "smtp.example.test", Port: 70000}, true},
		{"credentials in plaintext to remote host", smtpgw.Options{Host: "smtp.example.test", TLS: smtpgw.TLSNone, Username: "u", Password: "pw-Zq9"}, true},
		{"credentials in plaintext to localhost", smtpgw.Options{Host: "127.0.0.1", TLS: smtpgw.TLSNone, Username: "u", Password: "pw-Zq9"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := smtpgw.New(tt.opts)
			if (err != nil) != tt.wantErr {
				t.Errorf("New() error = %v, wantErr %v", err, tt.wantErr)
			}
			if err != nil && tt.opts.Password != "" && strings.Contains(err.Error(), tt.opts.Password) {
				t.Errorf("error leaks the password: %v", err)
			}
		})
	}
}

func findByMessageID(t *testing.T, srv *testServer, id string) received {
	t.Helper()
	for _, r := range srv.received() {
		msg, err := mail.ReadMessage(strings.NewReader(string(r.data)))
		if err != nil {
			t.Fatalf("parse message: %v", err)
		}
		if msg.Header.Get("Message-Id") == id {
			return r
		}
	}
	t.Fatalf("no message with Message-ID %s among %d", id, len(srv.received()))
	return received{}
}

func requireSendError(t *testing.T, err error) *application.SendError {
	t.Helper()
	if err == nil {
		t.Fatal("Send succeeded, want an error")
	}
	var se *application.SendError
	if !errors.As(err, &se) {
		t.Fatalf("error %v (%T) is not a *application.SendError", err, err)
	}
	return se
}
