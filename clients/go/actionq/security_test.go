package actionq

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	actionqv1 "actionq.dev/go/actionq/v1"
)

// clearEnv unsets the variables Config reads, for the test's duration.
func clearEnv(t *testing.T) {
	t.Helper()
	for _, name := range []string{"ACTIONQ_SERVER", "ACTIONQ_TOKEN", "ACTIONQ_CA_FILE", "ACTIONQ_CLIENT_CERT", "ACTIONQ_CLIENT_KEY", "ACTIONQ_TLS"} {
		t.Setenv(name, "")
	}
}

// pki is a test CA with a server certificate for 127.0.0.1 and localhost
// and a client certificate, written as PEM files.
type pki struct {
	ca, serverCert, serverKey, clientCert, clientKey string
	pool                                             *x509.CertPool
}

func newPKI(t *testing.T) pki {
	t.Helper()
	dir := t.TempDir()
	write := func(name, kind string, der []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	key := func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	caKey := key()
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "actionq test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	issue := func(name string, serial int64, usage x509.ExtKeyUsage, ips []net.IP, dns []string) (string, string) {
		k := key()
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: name},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
			ExtKeyUsage: []x509.ExtKeyUsage{usage}, KeyUsage: x509.KeyUsageDigitalSignature,
			IPAddresses: ips, DNSNames: dns,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &k.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		keyDER, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		return write(name+".pem", "CERTIFICATE", der), write(name+".key", "PRIVATE KEY", keyDER)
	}
	p := pki{ca: write("ca.pem", "CERTIFICATE", caDER), pool: x509.NewCertPool()}
	p.pool.AddCert(caCert)
	p.serverCert, p.serverKey = issue("server", 2, x509.ExtKeyUsageServerAuth, []net.IP{net.IPv4(127, 0, 0, 1)}, []string{"localhost"})
	p.clientCert, p.clientKey = issue("client", 3, x509.ExtKeyUsageClientAuth, nil, nil)
	return p
}

func TestConfigReadsTheEnvironment(t *testing.T) {
	clearEnv(t)
	p := newPKI(t)
	t.Setenv("ACTIONQ_SERVER", "queue.internal:50051")
	t.Setenv("ACTIONQ_TOKEN", "aq_env")
	t.Setenv("ACTIONQ_CA_FILE", p.ca)
	t.Setenv("ACTIONQ_CLIENT_CERT", p.clientCert)
	t.Setenv("ACTIONQ_CLIENT_KEY", p.clientKey)
	s, err := Config{}.resolve()
	if err != nil {
		t.Fatal(err)
	}
	if s.tls == nil || s.tls.RootCAs == nil || len(s.tls.Certificates) != 1 || s.token != "aq_env" {
		t.Errorf("from the environment: %+v, want TLS with the CA, a client certificate and the token", s)
	}
	if (Config{}).address() != "queue.internal:50051" {
		t.Errorf("address %q, want ACTIONQ_SERVER's", Config{}.address())
	}
	// A field wins over its variable.
	s, err = Config{Token: "aq_field", CertFile: p.serverCert, KeyFile: p.serverKey}.resolve()
	if err != nil || s.token != "aq_field" || len(s.tls.Certificates) != 1 {
		t.Errorf("fields over the environment: %+v, %v", s, err)
	}
	// NoEnv: only the fields count.
	s, err = Config{Address: "127.0.0.1:1", NoEnv: true}.resolve()
	if err != nil || s.tls != nil || s.token != "" {
		t.Errorf("NoEnv: %+v, %v; want plaintext without a token", s, err)
	}
	if (Config{NoEnv: true}).address() != DefaultAddress {
		t.Errorf("NoEnv ignores ACTIONQ_SERVER, got %q", Config{NoEnv: true}.address())
	}
}

func TestConfigTLSSwitches(t *testing.T) {
	clearEnv(t)
	for _, c := range []struct {
		name string
		cfg  Config
		env  string
		tls  bool
	}{
		{"nothing", Config{}, "", false},
		{"TLS", Config{TLS: true}, "", true},
		{"TLSConfig", Config{TLSConfig: &tls.Config{ServerName: "q"}}, "", true},
		{"ACTIONQ_TLS=true", Config{}, "true", true},
		{"ACTIONQ_TLS=on", Config{}, "on", true},
		{"ACTIONQ_TLS=false", Config{}, "false", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("ACTIONQ_TLS", c.env)
			s, err := c.cfg.resolve()
			if err != nil || (s.tls != nil) != c.tls {
				t.Errorf("TLS on = %v (%v), want %v", s.tls != nil, err, c.tls)
			}
			if c.cfg.TLSConfig != nil && (s.tls == c.cfg.TLSConfig || s.tls.ServerName != "q") {
				t.Error("TLSConfig is not cloned with its settings")
			}
		})
	}
}

func TestConfigRefusesBadSecurity(t *testing.T) {
	clearEnv(t)
	p := newPKI(t)
	for _, c := range []struct {
		name, want string
		cfg        Config
	}{
		{"a certificate without its key", "go together", Config{CertFile: p.clientCert}},
		{"a missing CA file", "CA file", Config{CAFile: filepath.Join(t.TempDir(), "nope.pem")}},
		{"a CA file without PEM", "no PEM", Config{CAFile: p.clientKey}},
		{"a token in plaintext off loopback", "plaintext", Config{Address: "queue.internal:50051", Token: "aq_x"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := New(c.cfg); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("New = %v, want an error about %q", err, c.want)
			}
		})
	}
	for _, ok := range []Config{
		{Address: "127.0.0.1:50051", Token: "aq_x"},
		{Address: "localhost:50051", Token: "aq_x"},
		{Address: "[::1]:50051", Token: "aq_x"},
		{Address: "unix:///tmp/actionq.sock", Token: "aq_x"},
		{Address: "queue.internal:50051", Token: "aq_x", InsecureToken: true},
		{Address: "queue.internal:50051", Token: "aq_x", TLS: true},
		{Address: "queue.internal:50051"},
	} {
		c, err := New(ok)
		if err != nil {
			t.Errorf("New(%+v) = %v, want a client", ok, err)
			continue
		}
		_ = c.Close()
	}
}

// tokenService answers GetAction when the call carries the expected bearer
// token, and reports the client certificate's name in the action's worker.
type tokenService struct {
	actionqv1.UnimplementedActionQueueServiceServer
	token string
}

func (f *tokenService) GetAction(ctx context.Context, req *actionqv1.GetActionRequest) (*actionqv1.GetActionResponse, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	if got := md.Get("authorization"); len(got) != 1 || got[0] != "Bearer "+f.token {
		return nil, status.Error(codes.Unauthenticated, "no token")
	}
	return &actionqv1.GetActionResponse{Action: &actionqv1.Action{Id: req.GetId()}}, nil
}

func TestATokenTravelsOverMutualTLS(t *testing.T) {
	clearEnv(t)
	p := newPKI(t)
	pair, err := tls.LoadX509KeyPair(p.serverCert, p.serverKey)
	if err != nil {
		t.Fatal(err)
	}
	creds := credentials.NewTLS(&tls.Config{Certificates: []tls.Certificate{pair}, ClientCAs: p.pool, ClientAuth: tls.RequireAndVerifyClientCert})
	srv := grpc.NewServer(grpc.Creds(creds))
	actionqv1.RegisterActionQueueServiceServer(srv, &tokenService{token: "aq_secret"})
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)

	t.Setenv("ACTIONQ_TOKEN", "aq_secret")
	t.Setenv("ACTIONQ_CA_FILE", p.ca)
	t.Setenv("ACTIONQ_CLIENT_CERT", p.clientCert)
	t.Setenv("ACTIONQ_CLIENT_KEY", p.clientKey)
	c, err := New(Config{Address: lis.Addr().String()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	got, err := c.GetAction(ctx, &actionqv1.GetActionRequest{Id: 7})
	if err != nil || got.GetAction().GetId() != 7 {
		t.Fatalf("GetAction over mutual TLS with the token = %v, %v", got, err)
	}

	// Without the client certificate the handshake fails.
	plain, err := New(Config{Address: lis.Addr().String(), CAFile: p.ca, Token: "aq_secret", NoEnv: true})
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	if _, err := plain.GetAction(ctx, &actionqv1.GetActionRequest{Id: 7}); status.Code(err) != codes.Unavailable {
		t.Errorf("without a client certificate: %v, want UNAVAILABLE", err)
	}
}
