package actionq

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"

	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
)

// security is what Config says, and the environment adds, about TLS and the
// bearer token.
type security struct {
	tls       *tls.Config // nil: plaintext
	token     string
	plaintext bool // a token may travel in plaintext (loopback, or InsecureToken)
}

// resolve fills what Config leaves unset from ACTIONQ_TOKEN, ACTIONQ_CA_FILE,
// ACTIONQ_CLIENT_CERT, ACTIONQ_CLIENT_KEY and ACTIONQ_TLS (unless NoEnv),
// then builds the TLS configuration: any file implies TLS, and a client
// certificate needs its key. A token over plaintext to an address that is
// not loopback is refused unless InsecureToken.
func (cfg Config) resolve() (security, error) {
	env := func(name string) string {
		if cfg.NoEnv {
			return ""
		}
		return os.Getenv(name)
	}
	or := func(value, name string) string {
		if value != "" {
			return value
		}
		return env(name)
	}
	token := or(cfg.Token, "ACTIONQ_TOKEN")
	caFile := or(cfg.CAFile, "ACTIONQ_CA_FILE")
	certFile, keyFile := cfg.CertFile, cfg.KeyFile
	if certFile == "" && keyFile == "" {
		certFile, keyFile = env("ACTIONQ_CLIENT_CERT"), env("ACTIONQ_CLIENT_KEY")
	}
	if (certFile == "") != (keyFile == "") {
		return security{}, errors.New("actionq: a client certificate and its key go together (CertFile and KeyFile, or ACTIONQ_CLIENT_CERT and ACTIONQ_CLIENT_KEY)")
	}
	useTLS := cfg.TLS || cfg.TLSConfig != nil || caFile != "" || certFile != "" || truthy(env("ACTIONQ_TLS"))
	s := security{token: token, plaintext: cfg.InsecureToken || isLoopback(cfg.address())}
	if !useTLS {
		if token != "" && !s.plaintext {
			return security{}, fmt.Errorf("actionq: refusing to send a token in plaintext to %s: use TLS (CAFile, TLS or ACTIONQ_CA_FILE, ACTIONQ_TLS=true), or set InsecureToken on a trusted network", cfg.address())
		}
		return s, nil
	}
	s.tls = &tls.Config{MinVersion: tls.VersionTLS12}
	if cfg.TLSConfig != nil {
		s.tls = cfg.TLSConfig.Clone()
	}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return security{}, fmt.Errorf("actionq: CA file: %w", err)
		}
		roots := x509.NewCertPool()
		if !roots.AppendCertsFromPEM(pem) {
			return security{}, fmt.Errorf("actionq: CA file %s holds no PEM certificate", caFile)
		}
		s.tls.RootCAs = roots
	}
	if certFile != "" {
		pair, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return security{}, fmt.Errorf("actionq: client certificate: %w", err)
		}
		s.tls.Certificates = append(s.tls.Certificates, pair)
	}
	return s, nil
}

func (s security) transport() credentials.TransportCredentials {
	if s.tls == nil {
		return insecure.NewCredentials()
	}
	return credentials.NewTLS(s.tls)
}

// truthy is ACTIONQ_TLS's reading of a boolean: 1, true, yes or on.
func truthy(value string) bool {
	switch strings.ToLower(strings.TrimSpace(value)) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}

// isLoopback says whether address (host:port, or a gRPC target such as
// dns:///host:port or unix:path) stays on this machine.
func isLoopback(address string) bool {
	if strings.HasPrefix(address, "unix:") || strings.HasPrefix(address, "unix-abstract:") {
		return true
	}
	if i := strings.Index(address, ":///"); i >= 0 {
		address = address[i+4:]
	}
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		host = address
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// bearerToken sends "authorization: Bearer <token>". Like grpc-go's own
// token credentials it requires transport security, except where the client
// allowed plaintext (loopback, or Config.InsecureToken): grpc-go then
// refuses to send it on an insecure connection.
type bearerToken struct {
	token     string
	plaintext bool
}

func (t bearerToken) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer " + t.token}, nil
}

func (t bearerToken) RequireTransportSecurity() bool { return !t.plaintext }
