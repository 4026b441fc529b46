package auth

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/rs/zerolog"
)

const testSecret = "0123456789abcdef0123456789abcdef-test-secret"

// testKeys are generated once: RSA generation is slow under -race.
var testKeys = sync.OnceValue(func() struct {
	rsa   *rsa.PrivateKey
	rsa2  *rsa.PrivateKey
	p256  *ecdsa.PrivateKey
	p384  *ecdsa.PrivateKey
	p521  *ecdsa.PrivateKey
	ed    ed25519.PrivateKey
	other ed25519.PrivateKey
} {
	must := func(err error) {
		if err != nil {
			panic(err)
		}
	}
	var k struct {
		rsa   *rsa.PrivateKey
		rsa2  *rsa.PrivateKey
		p256  *ecdsa.PrivateKey
		p384  *ecdsa.PrivateKey
		p521  *ecdsa.PrivateKey
		ed    ed25519.PrivateKey
		other ed25519.PrivateKey
	}
	var err error
	k.rsa, err = rsa.GenerateKey(rand.Reader, 2048)
	must(err)
	k.rsa2, err = rsa.GenerateKey(rand.Reader, 2048)
	must(err)
	k.p256, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(err)
	k.p384, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	must(err)
	k.p521, err = ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	must(err)
	_, k.ed, err = ed25519.GenerateKey(rand.Reader)
	must(err)
	_, k.other, err = ed25519.GenerateKey(rand.Reader)
	must(err)
	return k
})

// logBuffer is a goroutine-safe sink for a zerolog logger.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// refusals returns the decoded "token refused" lines.
func (b *logBuffer) refusals(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		if line == "" {
			continue
		}
		var entry map[string]any
		if err := json.Unmarshal([]byte(line), &entry); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		if entry["message"] == "auth: token refused" {
			out = append(out, entry)
		}
	}
	return out
}

func newTestLogger() (zerolog.Logger, *logBuffer) {
	buf := &logBuffer{}
	return zerolog.New(buf).Level(zerolog.DebugLevel), buf
}

// newTestVerifier builds a Verifier whose JWKS goroutines stop at the end of the test.
func newTestVerifier(t *testing.T, cfg Config) (*Verifier, *logBuffer) {
	t.Helper()
	return newTestVerifierWith(t, cfg, testJWKSSettings())
}

func newTestVerifierWith(t *testing.T, cfg Config, settings jwksSettings) (*Verifier, *logBuffer) {
	t.Helper()
	log, buf := newTestLogger()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	v, err := newVerifier(ctx, cfg, log, settings)
	if err != nil {
		t.Fatalf("newVerifier: %v", err)
	}
	return v, buf
}

func testJWKSSettings() jwksSettings {
	s := defaultJWKSSettings
	s.httpTimeout = 5 * time.Second
	return s
}

// sign signs claims with method and key, adding the given extra header fields.
func sign(t testing.TB, method jwt.SigningMethod, key any, claims jwt.MapClaims, header map[string]any) string {
	t.Helper()
	token := jwt.NewWithClaims(method, claims)
	for k, v := range header {
		token.Header[k] = v
	}
	s, err := token.SignedString(key)
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	return s
}

// handBuilt assembles a compact token from raw header and payload JSON and a signature.
func handBuilt(header, payload string, signature []byte) string {
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(payload)) + "." + enc.EncodeToString(signature)
}

// removed marks a claim claimsFor must drop.
type removed struct{}

// claimsFor returns valid claims for user "42" with exp one hour ahead, plus extra (a value of
// removed{} drops the claim).
func claimsFor(extra jwt.MapClaims) jwt.MapClaims {
	c := jwt.MapClaims{"sub": "42", "exp": time.Now().Add(time.Hour).Unix(), "iat": time.Now().Unix()}
	for k, v := range extra {
		if v == (removed{}) {
			delete(c, k)
			continue
		}
		c[k] = v
	}
	return c
}

// writePEM writes a public key (PKIX) or certificate DER to a temp file and returns its path.
func writePEM(t *testing.T, blockType string, der []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "key.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: blockType, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func writePublicKey(t *testing.T, pub any) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return writePEM(t, "PUBLIC KEY", der)
}

func publicKeyPEM(t *testing.T, pub any) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

func hsConfig() Config {
	return Config{Algorithms: []string{"HS256"}, Secret: testSecret}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func stringsReader(s string) *strings.Reader { return strings.NewReader(s) }

func writeBenchKey(b *testing.B, pub any) string {
	b.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "key.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o600); err != nil {
		b.Fatal(err)
	}
	return path
}
