package storage

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
)

// KeyFromEnvOrFile returns the 32-byte encryption key from envValue (the
// content of an environment variable) or, when that is empty, from the file
// at path file. It exists so operators can supply the key either way without
// it ever appearing in the config file. The key may be written as 64 hex
// characters or as base64 (standard, padded or not); surrounding whitespace
// is ignored. Errors never contain the key material.
func KeyFromEnvOrFile(envValue, file string) ([]byte, error) {
	if s := strings.TrimSpace(envValue); s != "" {
		k, err := decodeKey(s)
		if err != nil {
			return nil, fmt.Errorf("encryption key from environment: %w", err)
		}
		return k, nil
	}
	if file == "" {
		return nil, errors.New("encryption key: neither an environment value nor a key file was given")
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("encryption key: read key file: %w", err)
	}
	s := strings.TrimSpace(string(b))
	if s == "" {
		return nil, fmt.Errorf("encryption key: key file %s is empty", file)
	}
	k, err := decodeKey(s)
	if err != nil {
		return nil, fmt.Errorf("encryption key from file %s: %w", file, err)
	}
	return k, nil
}

// decodeKey accepts 64 hex characters or base64 (std, padded or raw) of
// exactly KeySize bytes. Error texts describe only lengths, never content.
func decodeKey(s string) ([]byte, error) {
	if len(s) == 2*KeySize {
		if k, err := hex.DecodeString(s); err == nil {
			return k, nil
		}
		// 64 characters that are not hex: fall through to base64 (which
		// would decode to 48 bytes and be rejected for its length).
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding} {
		k, err := enc.DecodeString(s)
		if err != nil {
			continue
		}
		if len(k) != KeySize {
			return nil, fmt.Errorf("key decodes to %d bytes, want %d (AES-256)", len(k), KeySize)
		}
		return k, nil
	}
	return nil, fmt.Errorf("key is neither %d hex characters nor base64 of %d bytes (got %d characters)", 2*KeySize, KeySize, len(s))
}

// CreateKeyFile writes a new random 32-byte key, hex-encoded, to path with
// mode 0600 and returns it. It exists for first-time setup; it refuses to
// overwrite an existing file so a key protecting existing data cannot be
// lost by accident.
func CreateKeyFile(path string) ([]byte, error) {
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("create key file %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create key file %s: %w", path, err)
	}
	_, werr := f.WriteString(hex.EncodeToString(key) + "\n")
	if werr == nil {
		werr = f.Sync()
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		_ = os.Remove(path)
		return nil, fmt.Errorf("create key file %s: %w", path, werr)
	}
	return key, nil
}
